// Timer rules: rule[0] seconds after timer() starts them. Started again, the timers
// of the page left never fire (client navigation).
var timers = [];
function timer(rules) {
  timers.forEach(clearTimeout);
  timers = scoped(rules).map(function (rule) {
    return setTimeout(function () {
      try {
        fire(rule, null);
      } catch (error) {
        lost(error);
      }
    }, rule[0] * 1000);
  });
}
