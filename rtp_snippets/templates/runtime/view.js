// View rules: once per page shown, if the page has an element the rule names (or
// always, without one).
function view(rules) {
  each(function () {
    scoped(rules).forEach(function (rule) {
      try {
        var element = rule[0] ? dom(document, "querySelector", [rule[0]]) : null;
        if (element || !rule[0]) fire(rule, element);
      } catch (error) {
        lost(error);
      }
    });
  });
}
