// {path}: the path of the page shown (path.js).
fill.path = function () {
  return path;
};
