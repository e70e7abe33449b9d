// Whether the link's URL matches a click rule's link glob (rtp_snippets/links.py):
// its URL without ?query and #fragment, in lower case, against the glob's parts
// between its "*"s; or "outbound", a link to another host; or "file", a file that is
// not a page (files.js).
function linked(link, parts) {
  var url;
  try {
    url = new URL(link.getAttribute("href"), dom(document, "baseURI"));
  } catch (error) {
    return; // not a URL: no glob matches it
  }
  if (parts === "outbound") return (url.protocol == "http:" || url.protocol == "https:") && url.hostname != location.hostname;
  if (parts === "file") return file(url);
  url.search = url.hash = "";
  return wildcard(url.href.toLowerCase(), parts);
}
