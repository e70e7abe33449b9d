// Once per document: a theme that re-executes the page's scripts (or a bundle
// injected twice) must not set up every listener and rule a second time. The
// mark is a registered symbol on the root element, not a global name; the root
// is new after document.open(), which also removes every listener. `again` is
// true when this document already runs a bundle (the caller then stops).
var RAN = Symbol.for("rtp-snippets"), root = dom(document, "documentElement"), again = root[RAN];
root[RAN] = 1;
