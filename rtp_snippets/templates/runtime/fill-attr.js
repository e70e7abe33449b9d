// {attr:NAME}: the element's attribute.
fill.attr = function (element, name) {
  return dom(element, "getAttribute", [name]);
};
