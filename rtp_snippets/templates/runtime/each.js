// Runs a part's work for the page once the document is ready (navigate.js instead
// runs it again for every page shown after it).
function each(callback) {
  ready(callback);
}
