// One capture-phase listener per event type on document: a click inside the
// target counts, elements added later count, and page code that stops
// propagation cannot hide the event. handle() (queue.js) runs the rules; a click
// rule with a link glob fires only for a link that matches it (links.js).
function listen(type, rules) {
  dom(document, "addEventListener", [type, function (event) {
    handle(event, function () {
      scoped(rules).forEach(function (rule) {
        try {
          var element = dom(event.target, "closest", [rule[0]]), parts = option(rule, "link");
          if (element && (!parts || linked(element, parts))) fire(rule, element);
        } catch (error) {
          lost(error);
        }
      });
    });
  }, true]);
}
