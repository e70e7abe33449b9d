// A rule's values to send. A value is a string or, with placeholders, a list of text
// and [kind, name] parts, each filled in by fill[kind](element, name) (fill.js). When
// a placeholder comes out empty, that value is left out of the call.
function values(value, element) {
  if (typeof value == "string") return [value];
  return value.map(function (parts) {
    if (typeof parts == "string") return parts;
    var text = "";
    for (var i = 0; i < parts.length; i++) {
      var found = typeof parts[i] == "string" ? parts[i] : fill[parts[i][0]](element, parts[i][1]);
      if (!found) return "";
      text += found;
    }
    return text;
  }).filter(Boolean);
}
