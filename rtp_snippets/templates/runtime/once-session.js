// `once: page` and `once: session`: a rule sends on this page (or in this tab's
// session, through sessionStorage) only the first time it fires. A rule is used up
// only by a call that is made (a value whose placeholders all come out empty makes
// none). forget() starts the page afresh (client navigation: a new page shown).
var fired;
function forget() {
  fired = Object.create(null);
}
forget();
// True the first time a `once` rule fires on this page (or, for session, in this
// tab's session).
function first(once, key) {
  key = "rtp-snippets:" + key;
  if (fired[key]) return false;
  fired[key] = 1;
  if (once == "session") {
    try {
      if (sessionStorage.getItem(key) == "1") return false; // another value: not ours
      sessionStorage.setItem(key, 1);
    } catch (error) {} // no storage here (privacy settings, sandbox): once per page instead
  }
  return true;
}
function pass(rule, list) {
  var once = option(rule, "once");
  if (once && !first(once, option(rule, "key"))) return log(rule, "not sent: once " + once, list);
  send(rule, list);
}
