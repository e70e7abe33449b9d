// No rule has pages or exclude: every rule is for every page.
function scoped(list) {
  return list;
}
