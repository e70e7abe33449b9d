// Consent, read from a platform (consent-*.js, which defines decide()): check() tells
// changed(state) the platform's answer, 1 (granted), -1 (refused) or 0 (not decided,
// or no platform yet); the platform's part calls it again whenever the answer may
// have changed. Each platform is read through its documented browser API only;
// nothing here writes a cookie or storage. A platform's global may be an element of
// the page of that id or name until its script has run: whatever is not what the
// platform documents throws in decide(), which is "not decided".
function check() {
  var state = 0;
  try {
    state = decide();
  } catch (error) {} // a platform object of an unexpected shape: not decided
  changed(state);
}
