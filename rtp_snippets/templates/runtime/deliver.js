// Calls queued by a click or submit that left the previous page of this site
// in this tab: taken out of sessionStorage before they are sent, so once only.
// (Rule names cannot contain a space, so no `once` key is the same.) Each is
// stored as [batch, time, args]: calls older than 30 minutes are dropped, and
// the batches sent in the last 30 minutes are listed in localStorage under SENT
// as [batch, time], so that a duplicated tab (which copies sessionStorage) does
// not send them again. Nothing is sent while `consent` is below 1 (consent.js:
// left in storage, sent by a page where consent is granted).
var KEY = "rtp-snippets queue", SENT = "rtp-snippets sent", AGE = 18e5;
// The entries of the list under `key` in w[storage] that the bundle could have
// written (`valid`): anything else there (page code, a broken write, not JSON) is
// discarded, never fatal, and gone with the next write.
function stored(storage, key, valid) {
  var list;
  try {
    list = JSON.parse(w[storage].getItem(key));
  } catch (error) {} // no storage here (privacy settings, sandbox), or not JSON
  return Array.isArray(list) ? list.filter(valid) : [];
}
// [batch, time] (SENT) or [batch, time, args] (KEY), written in the last 30 minutes.
function recent(entry, length) {
  return Array.isArray(entry) && entry.length == length && typeof entry[0] == "number" &&
    typeof entry[1] == "number" && Math.abs(Date.now() - entry[1]) < AGE;
}
// A call stored in KEY: args are rtp's as the bundle stores them, "send", "event"
// and {value}, a string or one to four strings.
function queued(entry) {
  var args = recent(entry, 3) && entry[2], value = args && args[2] && args[2].value;
  return !!args && JSON.stringify(args) == JSON.stringify(["send", "event", { value: value }]) &&
    (value = [].concat(value)).length > 0 && value.length < 5 && value.every(function (part) {
      return typeof part == "string";
    });
}
function replay(calls) {
  calls.forEach(function (args) {
    try {
      w.rtp.apply(w, args);
    } catch (error) {
      lost(error);
    }
  });
}
function deliver() {
  var calls, sent;
  if (consent < 1) return;
  calls = stored("sessionStorage", KEY, queued);
  try {
    sessionStorage.removeItem(KEY);
  } catch (error) {
    return; // no storage here (privacy settings, sandbox): nothing was queued
  }
  if (!calls.length) return;
  // Without localStorage a duplicated tab may send them again.
  sent = stored("localStorage", SENT, function (entry) {
    return recent(entry, 2);
  });
  calls = calls.filter(function (entry) {
    return !sent.some(function (batch) {
      return batch[0] == entry[0];
    });
  });
  try {
    localStorage.setItem(SENT, JSON.stringify(sent.concat(calls.map(function (entry) {
      return [entry[0], entry[1]];
    }))));
  } catch (error) {}
  replay(calls.map(function (entry) {
    return entry[2];
  }));
}
// Back to a page kept in the back/forward cache: its script does not run again.
w.addEventListener("pageshow", function (event) {
  if (event.persisted) deliver();
});
