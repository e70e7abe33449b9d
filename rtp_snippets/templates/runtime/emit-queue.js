// One call of rtp("send", "event", {value}) for a rule; while handle() (queue.js) runs
// the rules of an event that makes the page leave, collected in `queue` instead.
function emit(value, rule) {
  var args = ["send", "event", { value: value }];
  log(rule, queue ? "queued for the next page" : "sent", args);
  if (queue) queue.push(args);
  else replay([args]);
}
