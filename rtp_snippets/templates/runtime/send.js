// One value is sent as a string; several as arrays of at most four, call after call.
function send(rule, list) {
  function call(value) {
    emit(value, rule);
  }
  if (list.length == 1) call(list[0]);
  else for (var i = 0; i < list.length; i += 4) call(list.slice(i, i + 4));
}
