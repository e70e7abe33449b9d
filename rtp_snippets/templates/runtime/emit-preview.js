// rtp-snippets preview only: the overlay logs the call (and sends it with --live).
function emit(value, rule) {
  w.rtpSnippetsPreview(rule, ["send", "event", { value: value }]);
}
