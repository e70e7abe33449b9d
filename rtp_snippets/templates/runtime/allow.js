// No `consent:` section: every call is allowed.
function allow(rule, list) {
  pass(rule, list);
}
