// The cookie's value matches a glob (`pattern`, cut at its "*"s: wildcard.js). No
// such cookie: not decided; one whose value does not match: refused. A value that is
// JSON (banners keep their choices so) is never granted by a glob: the names of
// refused categories are in it too. The console says so once.
var told;
function decide() {
  var found = cookie();
  if (found == null) return 0;
  if (/^("|%22)?([[{]|%5B|%7B)/i.test(found)) {
    told = told || !console.warn("rtp-snippets: the consent cookie " + COOKIE +
      " holds JSON, which a value glob cannot read: name its field (consent: field)");
    return 0;
  }
  return wildcard(found, pattern) ? 1 : -1;
}
