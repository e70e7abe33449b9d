// Whether `text` is `parts` joined by runs of any characters (a glob already cut at
// its "*"s: a link glob, a consent cookie's value). No RegExp: the visitor may choose
// the text (a URL, a cookie); each part is one indexOf from where the one before ended
// (leftmost leaves the most room for the rest).
function wildcard(text, parts) {
  var at = parts[0].length, last = parts.length - 1, i;
  if (!text.startsWith(parts[0])) return false;
  for (i = 1; i < last; i++) {
    at = text.indexOf(parts[i], at);
    if (at < 0) return false;
    at += parts[i].length;
  }
  return last ? text.length - parts[last].length >= at && text.endsWith(parts[last]) : text.length == at;
}
