// A call that fails (page code made window.rtp something that cannot be called,
// or rtp threw) is lost, which the console says once; it never stops the other
// rules or the page.
var warned;
function lost(error) {
  warned = warned || !console.warn("rtp-snippets:", error);
}
