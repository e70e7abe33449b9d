// Calls back once the document is parsed (at once if it is).
function ready(callback) {
  if (dom(document, "readyState") == "loading") dom(document, "addEventListener", ["DOMContentLoaded", callback]);
  else callback();
}
