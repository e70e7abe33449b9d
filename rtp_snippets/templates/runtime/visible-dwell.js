// Visible rules, some with a share or a time (visible 50% for 2s): per element and
// rule, a timer starts when at least the share is in view and is cancelled when less
// is; the rule fires when it runs out (at once without a time; without a share, any
// part in view counts). The share is of the element; of an element wider or taller
// than the viewport, of the part that fits in it, so that it can be reached.
// Thresholds at every 1 % say when the share changes: no polling. Elements added to
// the page later are picked up too, as in visible.js.
// timers.get(element)[rule's index] is its timer, or true once it fired.
function visible(list) {
  ready(function () {
    var rules, seen, added = [], timers, thresholds = [], step;
    for (step = 0; step <= 100; step++) thresholds.push(step / 100);
    function dwelt(element, started, index, rule) {
      // Not for a page shown since (client navigation starts afresh).
      if (timers.get(element) == started) {
        started[index] = true;
        try {
          fire(rule, element);
        } catch (error) {
          lost(error);
        }
      }
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        var element = entry.target, box = entry.boundingClientRect, view = entry.rootBounds,
          share = entry.intersectionRatio, started = timers.get(element) || [], ms, all = 1;
        timers.set(element, started);
        if (view) share /= Math.min(1, view.width / box.width) * Math.min(1, view.height / box.height);
        rules.forEach(function (rule, index) {
          try {
            if (started[index] === true || !dom(element, "matches", [rule[0]])) return;
            if (entry.isIntersecting && share >= option(rule, "share")) {
              if (!started[index]) {
                ms = option(rule, "ms");
                if (ms) started[index] = setTimeout(dwelt, ms, element, started, index, rule);
                else dwelt(element, started, index, rule);
              }
            } else {
              clearTimeout(started[index]);
              started[index] = 0;
            }
          } catch (error) {
            lost(error);
          }
          if (started[index] !== true) all = 0;
        });
        // Every rule it matches has fired: no need to watch it any more.
        if (all) observer.unobserve(element);
      });
    }, { threshold: thresholds });
    function watch(element) {
      if (!seen.has(element)) {
        seen.add(element);
        // Observed anew: an element still shown from the page before is measured again.
        observer.unobserve(element);
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
    // Every page shown: its rules, and every element watched and measured again.
    each(function () {
      rules = scoped(list);
      seen = new WeakSet();
      timers = new WeakMap();
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
