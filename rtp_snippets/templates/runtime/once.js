// `once: page`: a rule sends on this page only the first time it fires. A rule is
// used up only by a call that is made (a value whose placeholders all come out empty
// makes none). forget() starts afresh (client navigation: a new page shown).
var fired;
function forget() {
  fired = Object.create(null);
}
forget();
function pass(rule, list) {
  var once = option(rule, "once"), key = "rtp-snippets:" + option(rule, "key");
  if (once && fired[key]) return log(rule, "not sent: once " + once, list);
  if (once) fired[key] = 1;
  send(rule, list);
}
