// Visible rules: each matching element is watched until it first enters the
// viewport, then its rules fire once. Elements added to the page later are picked up
// too: only the added ones are looked at, once per animation frame, never the whole
// document again (a page that changes every frame would pay for it each time).
function visible(list) {
  ready(function () {
    var rules, seen, added = [];
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          rules.forEach(function (rule) {
            try {
              if (dom(entry.target, "matches", [rule[0]])) fire(rule, entry.target);
            } catch (error) {
              lost(error);
            }
          });
        }
      });
    });
    function watch(element) {
      if (!seen.has(element)) {
        seen.add(element);
        observer.observe(element);
      }
    }
    // The elements a rule matches in `top` (the document, or an added element and
    // what is inside it).
    function scan(top) {
      rules.forEach(function (rule) {
        try {
          if (top != document && dom(top, "matches", [rule[0]])) watch(top);
          dom(top, "querySelectorAll", [rule[0]]).forEach(watch);
        } catch (error) {}
      });
    }
    // Every page shown: its rules, and every element watched again.
    each(function () {
      rules = scoped(list);
      seen = new WeakSet();
      scan(document);
    });
    new MutationObserver(function (records) {
      var waiting = added.length;
      records.forEach(function (record) {
        record.addedNodes.forEach(function (node) {
          if (dom(node, "nodeType") == 1) added.push(node);
        });
      });
      if (!waiting && added.length)
        requestAnimationFrame(function () {
          added.splice(0).forEach(function (element) {
            if (dom(element, "isConnected")) scan(element);
          });
        });
    }).observe(root, { childList: true, subtree: true });
  });
}
