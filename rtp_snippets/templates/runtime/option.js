// A rule's option, read from the rule's own data only: page code may have added
// properties to Object.prototype (or array indexes through it).
function option(rule, name) {
  var options = rule.length > 3 && rule[3];
  return options && Object.prototype.hasOwnProperty.call(options, name) ? options[name] : 0;
}
