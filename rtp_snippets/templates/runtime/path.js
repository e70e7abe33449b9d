// The page shown: its path, decoded; where() reads it again (client navigation).
var path;
function where() {
  path = location.pathname;
  try {
    path = decodeURI(path);
  } catch (error) {}
}
