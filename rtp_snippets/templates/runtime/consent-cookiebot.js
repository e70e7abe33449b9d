// Cookiebot: Cookiebot.consent has a true or false per category; hasResponse is
// true once the visitor answered. Its events come to window. `categories`: those
// wanted.
function decide() {
  var bot = w.Cookiebot, given = bot && bot.consent;
  if (!given) return 0;
  return categories.every(function (category) {
    return given[category] === true;
  }) ? 1 : bot.hasResponse ? -1 : 0;
}
["CookiebotOnConsentReady", "CookiebotOnAccept", "CookiebotOnDecline"].forEach(function (name) {
  w.addEventListener(name, check);
});
