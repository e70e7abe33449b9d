// rtp-snippets preview: always on (the overlay shows what is sent; the console why
// something is not: held for consent, once, an empty placeholder).
var debug = 1;
