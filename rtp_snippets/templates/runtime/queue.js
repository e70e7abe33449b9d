// While handle() runs the rules of an event that makes this page leave, `queue` is
// a list and emit() (emit-queue.js) collects the calls in it instead of sending.
var queue;
// True when the event's default action replaces this page, in this tab, with
// another page of this site: an unmodified click on a link (no download
// attribute, target _self/_top/_parent or none, same origin, not another
// #fragment of this page, not a file and no type but HTML) or on a submit button
// of a valid form, or a form submission (not method=dialog). Modified clicks (new
// tab or window, download), other targets, javascript: and mailto: links are not
// (the page stays), nor are other sites (they cannot send the calls) or files
// (no bundle runs there): calls go out at once.
function leaving(event) {
  var target = event.target, submitter = event.submitter, form = target, link;
  if (event.type == "click") {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    if ((link = dom(target, "closest", ["a[href],area[href]"])))
      return !link.hasAttribute("download") && /^$|html/i.test(link.getAttribute("type") || "") &&
        !file(link.href) && opens(link.target, link.href, link);
    submitter = dom(target, "closest", ["[type=submit],[type=image],button:not([type])"]);
    if (!submitter || !(form = submitter.form) || dom(form, "matches", [":invalid"]) &&
        !dom(form, "noValidate") && !submitter.formNoValidate) return;
  }
  // The submit button's formmethod, formtarget and formaction override the form's.
  function override(name) {
    return submitter && submitter.getAttribute("form" + name);
  }
  return !/^dialog$/i.test(override("method") || dom(form, "method")) &&
    opens(override("target") || dom(form, "target"), override("action") ? submitter.formAction : dom(form, "action"));
}
function opens(name, href, link) {
  var base = dom(document, "querySelector", ["base[target]"]), parts = href.split("#");
  return /^(_self|_top|_parent)?$/i.test(name || base && base.target || "") &&
    new URL(href).origin == location.origin &&
    !(link && parts.length > 1 && parts[0] == location.href.split("#")[0]);
}
// Runs an event's rules. The calls of a leaving page go to sessionStorage (the
// next page sends them, deliver.js); if page code cancels the navigation
// (preventDefault, seen once the event is over) they are sent then. If the page is
// still here a second later, it did not leave after all (a download, a navigation
// cancelled later): they are sent then. Without storage: sent now.
function handle(event, rules) {
  try {
    queue = leaving(event) && [];
  } catch (error) {} // an unexpected page: sent at once
  rules();
  var calls = queue;
  queue = 0;
  if (calls && calls.length) {
    try {
      var now = Date.now(), batch = Math.random();
      sessionStorage.setItem(KEY, JSON.stringify(stored("sessionStorage", KEY, queued).concat(
        calls.map(function (args) {
          return [batch, now, args];
        }))));
      setTimeout(function () {
        if (event.defaultPrevented) deliver();
      });
      setTimeout(deliver, 1000);
    } catch (error) {
      replay(calls);
    }
  }
}
