// The value of the cookie named COOKIE as document.cookie has it, or null
// (consent-cookie-field.js and consent-cookie-value.js read it). Re-checked whenever
// a cookie changes where the browser has cookieStore (on secure pages; Chromium has
// it).
function cookie() {
  var found = null;
  dom(document, "cookie").split(";").forEach(function (pair) {
    var at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() == COOKIE) found = pair.slice(at + 1).trim();
  });
  return found;
}
if (w.cookieStore) w.cookieStore.addEventListener("change", check);
