// Client-side navigation (Turbo, swup, Astro, Material for MkDocs'
// navigation.instant, a site's own history.pushState): a new path in the address bar
// is a new page once its content is in, which may be long after the address changed.
// Where the site's router says when a page is shown, its signal decides: Turbo's
// turbo:load, swup's swup:page:view (swup marks the root swup-enabled), Astro's
// astro:page-load, Material's document$. Elsewhere the first change of the content
// after the new path (or just before it, in the same task): an element of <body>
// taken out, or <body> itself replaced. Changes in <head> (the title, stylesheets),
// elements only added (a progress bar, a widget) or taken out again, and text that
// changes are not the content. The new page's path, pages / exclude and `once page`
// then start afresh, and its view, visible, scroll and timer rules run again: each
// function in `shows` is called, in order (the path first). A new #fragment or query
// alone is no new page.
var shows = [], shown = location.pathname, waiting, routed, added;
// Runs a part's work for the page once the document is ready, and again for every
// page shown after it.
function each(callback) {
  shows.push(callback);
  ready(callback);
}
// The page at the address is shown: a new path runs its rules.
function arrive() {
  waiting = 0;
  if (location.pathname == shown) return;
  shown = location.pathname;
  shows.forEach(function (callback) {
    callback();
  });
}
// A router's signal: from now on only signals say when a page is shown.
function routes() {
  routed = 1;
  arrive();
}
["turbo:load", "swup:page:view", "astro:page-load"].forEach(function (name) {
  dom(document, "addEventListener", [name, routes]);
});
// Material's document$ emits the page shown now, and each page shown after it. An
// element of the page named document$ is not it.
function material() {
  var pages = w.document$;
  try {
    if (!routed && pages && !(pages instanceof Node) && typeof pages.subscribe == "function")
      pages.subscribe(routes);
  } catch (error) {}
}
material();
ready(material);
// Whether the records change the content (see above); elements they add are noted.
function altered(records) {
  var head = dom(document, "head"), found;
  records.forEach(function (record) {
    var target = record.target, inside = target;
    for (; inside; inside = dom(inside, "parentNode")) if (added.has(inside)) return;
    if (!(head && dom(head, "contains", [target])))
      record.removedNodes.forEach(function (node) {
        if (dom(node, "nodeType") == 1 && !added.has(node)) found = 1;
      });
    record.addedNodes.forEach(function (node) {
      added.add(node);
    });
  });
  return found;
}
function soon() {
  if (waiting == 1) {
    waiting = 2;
    setTimeout(arrive);
  }
}
var changes = new MutationObserver(function (records) {
  if (waiting && !routed && altered(records)) soon();
});
changes.observe(document, { childList: true, subtree: true });
// The address changed: the changes not yet looked at are of the page being left, or
// (made in this task, just before) already of the new one.
function moved() {
  var records = changes.takeRecords();
  if (location.pathname == shown) return void (waiting = 0);
  if (!waiting) {
    waiting = 1;
    added = new WeakSet();
    routed = routed || dom(root, "classList").contains("swup-enabled");
  }
  if (!routed && altered(records)) soon();
}
["pushState", "replaceState"].forEach(function (name) {
  var original = history[name];
  history[name] = function () {
    var result = original.apply(history, arguments);
    moved();
    return result;
  };
});
w.addEventListener("popstate", moved);
