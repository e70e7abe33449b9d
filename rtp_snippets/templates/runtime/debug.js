// Debugging the deployed site: the fragment #rtp-snippets-debug, or a query
// parameter of exactly that name, logs every rule that fires to the console (its
// line in the rules file, the rtp arguments, or why nothing was sent) for the rest
// of the tab's session; #rtp-snippets-debug=off (or the parameter =off) stops it.
// Only "1" under the key, which the switch writes, turns it on.
var debug;
try {
  debug = /[?&#]rtp-snippets-debug(=off)?(?![^=&#])/.exec(location.search + location.hash);
  if (debug) sessionStorage["rtp-snippets-debug"] = debug[1] ? "" : 1;
  debug = sessionStorage["rtp-snippets-debug"] === "1";
} catch (error) {}
