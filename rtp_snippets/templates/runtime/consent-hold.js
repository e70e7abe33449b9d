// Consent: until it is granted, allow() holds the calls here, in order, and nothing
// is sent or stored (no once: session key, no queue for the next page). Granted:
// they go out; refused: they are dropped, as are those still held when the page
// ends. Refused or withdrawn later: nothing more is sent. `consent` is 1 (granted),
// -1 (refused) or 0 (not decided); changed(state) is told by consent.js.
var consent = 0, held = [];
function allow(rule, list) {
  if (consent < 1) {
    log(rule, consent ? "dropped: consent refused" : "held until consent is granted", list);
    if (!consent) held.push([rule, list]);
    return;
  }
  pass(rule, list);
}
// Platforms say the same answer more than once: only a new grant sends.
function changed(state) {
  var calls = held, granted = consent > 0;
  consent = state;
  if (state) held = [];
  if (state < 0) calls.forEach(function (call) {
    log(call[0], "dropped: consent refused", call[1]);
  });
  if (state > 0 && !granted) {
    deliver();
    calls.forEach(function (call) {
      try {
        pass(call[0], call[1]);
      } catch (error) {
        lost(error);
      }
    });
  }
}
