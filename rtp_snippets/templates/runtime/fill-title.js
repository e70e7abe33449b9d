// {title}: the document's title (an element named title does not shadow it).
fill.title = function () {
  return dom(document, "title");
};
