// {host}: the page's host name.
fill.host = function () {
  return location.hostname;
};
