// vanilla-cookieconsent 3: once the visitor has chosen (validConsent()), every
// category must be accepted (acceptedCategory()). Its events come to window; its
// script may run after this one (a module, or run() once the document is ready):
// looked at again when the document is ready and when it has loaded. `categories`:
// those wanted.
function decide() {
  var api = w.CookieConsent;
  return api.validConsent() !== true ? 0 : categories.every(function (category) {
    return api.acceptedCategory(category) === true;
  }) ? 1 : -1;
}
w.addEventListener("cc:onConsent", check);
w.addEventListener("cc:onChange", check);
dom(document, "addEventListener", ["DOMContentLoaded", check]);
w.addEventListener("load", check);
