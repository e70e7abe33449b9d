// IAB TCF v2: the CMP calls our listener with its TC data when it has loaded
// (eventStatus "tcloaded"), when the visitor has answered ("useractioncomplete")
// and while its dialogue is shown ("cmpuishown": the earlier answer stands). The
// __tcfapi stub may come after this script: looked for again when the document
// is ready and when it has loaded. `purposes` and `vendors`: the ids wanted.
var decided = 0, listening;
function decide() {
  return decided;
}
function all(wanted, given) {
  return wanted.every(function (id) {
    return given[id] === true;
  });
}
function attach() {
  if (listening || typeof w.__tcfapi != "function") return;
  listening = 1;
  w.__tcfapi("addEventListener", 2, function (data, success) {
    if (success && data && (data.eventStatus == "tcloaded" || data.eventStatus == "useractioncomplete")) {
      try {
        decided = data.gdprApplies === false ||
          all(purposes, data.purpose.consents) && all(vendors, data.vendor.consents) ? 1 : -1;
      } catch (error) {
        decided = 0;
      }
      check();
    }
  });
}
attach();
dom(document, "addEventListener", ["DOMContentLoaded", attach]);
w.addEventListener("load", attach);
