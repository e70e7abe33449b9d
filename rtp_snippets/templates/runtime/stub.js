// Marketo's queue stub, as in the official tag: rtp.js replays the queued calls.
// Installed whenever rtp is not a function: an element with id or name "rtp" is
// window.rtp too.
if (typeof w.rtp != "function") {
  w.rtp = function () {
    (w.rtp.q = w.rtp.q || []).push(arguments);
  };
}
