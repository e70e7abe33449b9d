// No `once` rule: every call a rule makes is sent.
function pass(rule, list) {
  send(rule, list);
}
