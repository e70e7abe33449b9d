// A rule's values to send: one string, or a list of strings (no placeholders).
function values(value) {
  return typeof value == "string" ? [value] : value.filter(Boolean);
}
