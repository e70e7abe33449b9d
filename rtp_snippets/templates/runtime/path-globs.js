// The page shown: its path and, for pages / exclude, the path with a trailing
// index.html dropped and where each character is in it (see globs.js, matches());
// where() reads them again (client navigation).
var path, page, size, at, none, others;
function where() {
  var position;
  path = location.pathname;
  try {
    path = decodeURI(path);
  } catch (error) {}
  page = path.replace(/\/index\.html?$/, "/");
  size = (page.length >> 5) + 1;
  at = Object.create(null);
  none = zeros();
  others = zeros();
  // at[character]: the positions before that character; others: those before any
  // character but "/".
  for (position = 0; position < page.length; position++) {
    (at[page[position]] = at[page[position]] || zeros())[position >> 5] |= 1 << position;
    if (page[position] != "/") others[position >> 5] |= 1 << position;
  }
}
