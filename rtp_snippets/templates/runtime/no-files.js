// Link globs without files.js: no rule has `link: file`, so nothing asks.
function file() {}
