// The cookie's value read as JSON (URL-decoded first, as banners write it): the field
// (`field`, its names) is a list that holds `wanted` (granted) or not (refused);
// without `wanted`, true grants and false refuses. No such cookie, or a value of
// another shape: not decided.
function decide() {
  var found = cookie();
  if (found == null) return 0;
  found = JSON.parse(decodeURIComponent(found));
  field.forEach(function (name) {
    found = found && typeof found == "object" && Object.prototype.hasOwnProperty.call(found, name) ? found[name] : null;
  });
  if (wanted == null) return found === true ? 1 : found === false ? -1 : 0;
  return Array.isArray(found) ? found.indexOf(wanted) >= 0 ? 1 : -1 : 0;
}
