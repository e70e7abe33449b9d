// Sends a rule's values for the element (or null) it fired on: filled in (values.js),
// then held for consent (allow()), checked against `once` (pass()) and sent
// (send()). Callers wrap it in try/catch: a failing rule never stops the other rules
// or the page.
function fire(rule, element) {
  var list = values(rule[1], element);
  if (!list.length) return log(rule, "not sent: a placeholder is empty", rule[1]);
  allow(rule, list);
}
