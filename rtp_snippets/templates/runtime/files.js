// A URL whose path names a file that is not a page (rtp_snippets/links.py, FILES): the
// browser shows or downloads it, and no page of the site runs there. FILE_PATTERN is
// links.FILE_PATTERN, given by render.py.
var FILES = new RegExp(FILE_PATTERN, "i");
function file(url) {
  return FILES.test(new URL(url).pathname);
}
