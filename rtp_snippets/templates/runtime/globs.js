// Whether a glob (cut into tokens by paths.glob_tokens) matches the whole page
// path (path-globs.js: page, size, at, none, others). No RegExp: the visitor chooses
// the path, and a backtracking RegExp let a crafted URL freeze the page. As in
// paths.py, the tokens are gone through once, keeping the set of path positions the
// glob so far can end at, as bits: position i is bit i % 32 of set[i >> 5] (shifts
// count modulo 32), so a token costs one pass over path length / 32 numbers.
// Every set is a full array of numbers and `at` has no prototype, so nothing is
// read through Object.prototype.
function zeros() {
  return Array(size).fill(0);
}
// The positions just after the reached ones whose character is in `mask`.
function step(set, mask) {
  for (var next = [], carry = 0, word = 0, bits; word < size; word++) {
    bits = set[word] & mask[word];
    next[word] = bits << 1 | carry;
    carry = bits >>> 31;
  }
  return next;
}
function matches(tokens) {
  var reached = zeros(), k, token, next, word, bits, carry, low, i;
  for (reached[0] = 1, k = 0; k < tokens.length; k++) {
    token = tokens[k];
    if (token == "*") {
      // Adding a reached bit to a run of `others` carries it to the run's end (the
      // next "/" or the end), so the XOR sets it up to there.
      for (next = [], carry = word = 0; word < size; word++) {
        bits = ((reached[word] & others[word]) >>> 0) + (others[word] >>> 0) + carry;
        carry = bits > 4294967295;
        next[word] = reached[word] | bits ^ others[word];
      }
    } else if (token.charAt(1) == "*") {
      // Those reached, and every position from the first reached one on ("**") or
      // from the one after the first reached "/" on ("/**"). -bit is that bit and
      // every bit above it.
      bits = token == "**" ? reached : step(reached, at["/"] || none);
      for (next = [], low = word = 0; word < size; word++)
        next[word] = reached[word] | (low ? -1 : (low = bits[word] & -bits[word]) && -low);
    } else {
      // "?" or a run of literal characters, one character after another.
      for (next = reached, i = 0; i < token.length; i++)
        next = step(next, token == "?" ? others : at[token[i]] || none);
    }
    reached = next;
  }
  return reached[page.length >> 5] >> page.length & 1;
}
function applies(rule) {
  var pages = option(rule, "pages"), exclude = option(rule, "exclude");
  return (!pages || pages.some(matches)) && !(exclude && exclude.some(matches));
}
// The rules of `list` for the page shown.
function scoped(list) {
  return list.filter(applies);
}
