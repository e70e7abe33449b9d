// {text}: the element's text as a visitor reads it (rtp_snippets/text.py reads the
// same from the HTML): what is not shown left out (computed display: none, which the
// hidden attribute, script, style and template have; text whose element has
// visibility: hidden; an iframe's or noscript's text), a space where a block or a line
// break separates words, and a link inside the element to the element itself or one around
// it (href="#id") that shows only a symbol (a heading's permalink: ¶, #, §, an icon,
// a zero-width space; a label only for screen readers does not count) left out.
// Then invisible format characters (FORMAT_PATTERN, text.FORMAT_PATTERN, given by
// render.py) removed, white space collapsed, trimmed.
var FORMAT = new RegExp(FORMAT_PATTERN, "g");
function read(element) {
  var ids = [], around = element;
  for (; around; around = dom(around, "parentElement")) ids.push(dom(around, "id"));
  return clean(displayed(element, ids));
}
function clean(text) {
  return text.replace(FORMAT, "").replace(/\s+/g, " ").trim();
}
// The text shown inside `node`; with `sighted`, not counting what is only for screen
// readers either (an element of at most one pixel that hides what overflows it).
function displayed(node, ids, sighted) {
  var text = "", child = dom(node, "firstChild"), type, style, box, inner;
  for (; child; child = dom(child, "nextSibling")) {
    type = dom(child, "nodeType");
    if (type == 3) {
      if (!/hidden|collapse/.test(getComputedStyle(node).visibility)) text += child.data;
    } else if (type == 1 && (style = getComputedStyle(child)).display != "none" && !/^(iframe|noscript)$/.test(dom(child, "localName"))) {
      if (sighted && (box = dom(child, "getBoundingClientRect", [])).width * box.height <= 1 &&
          (style.overflow != "visible" || style.clip != "auto")) continue;
      inner = permalink(child, ids) ? "" : displayed(child, ids, sighted);
      text += /^(block|list-item|flex|grid|table|flow-root)/.test(style.display) || dom(child, "localName") == "br" ? " " + inner + " " : inner;
    }
  }
  return text;
}
// Whether the element is a link to the element read (or one around it) that shows
// only a symbol: no letter and no digit.
function permalink(element, ids) {
  var href = dom(element, "localName") == "a" && element.getAttribute("href") || "";
  try {
    href = decodeURIComponent(href);
  } catch (error) {}
  return href[0] == "#" && ids.indexOf(href.slice(1)) >= 0 && !/[\p{L}\p{N}]/u.test(clean(displayed(element, ids, 1)));
}
fill.text = read;
