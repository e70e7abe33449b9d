// A window property that the site's script set (`names`, the path to it): true grants,
// false refuses, and anything else is no answer. Page markup makes elements window
// properties by id or name (<form id="siteConsent">, whose checkbox named marketing is
// then siteConsent.marketing): the first name must be the window's own property (a
// script's global variable or window.name = ...), and no value on the way may be a
// node of the page or a window.
function decide() {
  var value = w;
  if (!Object.prototype.hasOwnProperty.call(w, names[0])) return 0;
  for (var i = 0; i < names.length; i++) {
    value = value[names[i]];
    if (value == null || value instanceof Node || value === value.window) return 0;
  }
  return value === true ? 1 : value === false ? -1 : 0;
}
