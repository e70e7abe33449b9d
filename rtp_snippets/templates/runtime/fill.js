// The placeholders filled in at run time, by kind: fill[kind](element, name) is the
// value, or empty. Only the kinds the rules use are added (fill-*.js); the kinds come
// from the bundle's own data, and the object has no prototype.
var fill = Object.create(null);
