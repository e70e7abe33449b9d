// {query:NAME}: a parameter of the page's address.
fill.query = function (element, name) {
  return new URLSearchParams(location.search).get(name);
};
