// The debug log (debug.js): rule[2] is the rule's line in the rules file.
function log(rule, what, args) {
  if (debug) console.log("rtp-snippets line", rule[2], what, args);
}
