// One call of rtp("send", "event", {value}) for a rule, looked up on window at each
// call (the real rtp.js replaces the stub); the debug log says so.
function emit(value, rule) {
  var args = ["send", "event", { value: value }];
  log(rule, "sent", args);
  w.rtp.apply(w, args);
}
