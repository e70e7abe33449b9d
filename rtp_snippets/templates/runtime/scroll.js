// Scroll depth: how much of the page's height has been on screen, in percent. Each
// rule (rule[0] is its depth) fires once per page shown, when the depth is reached.
var pending;
function scrolled() {
  var depth = (Math.ceil(w.scrollY) + w.innerHeight) / root.scrollHeight * 100;
  pending = pending.filter(function (rule) {
    if (depth < rule[0]) return true;
    try {
      fire(rule, null);
    } catch (error) {
      lost(error);
    }
  });
  if (!pending.length) w.removeEventListener("scroll", scrolled);
}
function scroll(rules) {
  each(function () {
    pending = scoped(rules);
    w.addEventListener("scroll", scrolled, { passive: true });
    scrolled();
  });
}
