// Every rule sends one plain value, always: straight to emit().
function fire(rule) {
  emit(rule[1], rule);
}
