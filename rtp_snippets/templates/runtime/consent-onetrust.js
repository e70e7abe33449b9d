// OneTrust: OnetrustActiveGroups lists the groups granted (",C0001,C0004,"), set when
// its script has run and updated with a OneTrustGroupsUpdated event on window. A
// group missing once the banner is closed is refused. `groups`: those wanted.
function decide() {
  var active = w.OnetrustActiveGroups;
  if (typeof active != "string") return 0;
  active = active.split(",");
  return groups.every(function (group) {
    return active.indexOf(group) >= 0;
  }) ? 1 : w.OneTrust && w.OneTrust.IsAlertBoxClosed() ? -1 : 0;
}
w.addEventListener("OneTrustGroupsUpdated", check);
