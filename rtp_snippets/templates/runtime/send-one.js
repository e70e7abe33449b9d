// Every rule sends one plain value.
function send(rule, list) {
  emit(list[0], rule);
}
