// Klaro: the choice the visitor saved must consent to every service. It is read
// when Klaro's manager is found, if the visitor has chosen before (confirmed), and
// again each time consents are saved (manager.watch, "saveConsents"): a switch
// changed but not saved, or a service on by default, grants nothing. Klaro's script
// may run after this one: looked for again when the document is ready and loaded.
// `services`: those wanted.
var decided = 0, watched;
function decide() {
  return decided;
}
function all(given) {
  return services.every(function (service) {
    return given(service) === true;
  }) ? 1 : -1;
}
function attach() {
  try {
    if (watched) return;
    var manager = w.klaro.getManager();
    manager.watch({
      update: function (manager, type, data) {
        if (type == "saveConsents") {
          decided = all(function (service) {
            return data.consents[service];
          });
          check();
        }
      }
    });
    watched = 1;
    if (manager.confirmed === true) decided = all(function (service) {
      return manager.getConsent(service);
    });
  } catch (error) {} // no Klaro yet, or not Klaro
  check();
}
attach();
dom(document, "addEventListener", ["DOMContentLoaded", attach]);
w.addEventListener("load", attach);
