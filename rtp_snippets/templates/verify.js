/*
  rtp-snippets verify: what the browser runs in every document of the site, before any
  page script (rtp_snippets/verify.py adds it with the run's settings as `settings`).

  It records, through the binding `settings.binding` (Playwright's expose_binding): each
  call of window.rtp with the page's path, page script replacing window.rtp, Content-
  Security-Policy violations, writes under the bundle's storage keys, and clicks that
  reached window but not document. It stands in for the consent platform in the state the
  run asks for. And it computes, from the live page, what a rule should send: an
  implementation of its own of the placeholders (for {text}, the text as a visitor reads
  it), never the bundle's code.

  Plain JavaScript, no template: verify.py appends `(settings)` to call it.
*/
(function (settings) {
  var report = window[settings.binding];
  try {
    delete window[settings.binding];
  } catch (error) {}
  function tell(kind, data) {
    try {
      report(kind, location.pathname, JSON.stringify(data));
    } catch (error) {}
  }

  // window.rtp: a recorder, as the official tag's queue stub would be before rtp.js
  // (which is blocked: it is on Marketo's host). Page script may replace it: the
  // replacement is kept (as the page made it) and reported.
  var current = function () {
    tell("call", Array.prototype.slice.call(arguments));
  };
  Object.defineProperty(window, "rtp", {
    configurable: true,
    get: function () {
      return current;
    },
    set: function (value) {
      if (value === current) return; // the tag's `rtp = rtp || function…` keeps it
      current = value;
      tell("rtp replaced", String(value).slice(0, 80));
    }
  });

  document.addEventListener("securitypolicyviolation", function (event) {
    tell("csp", { directive: event.effectiveDirective, blocked: event.blockedURI, sample: event.sample });
  }, true);

  // Writes under the bundle's storage keys (nothing may be written before consent).
  ["setItem", "removeItem"].forEach(function (name) {
    var original = Storage.prototype[name];
    Storage.prototype[name] = function (key) {
      if (String(key).indexOf("rtp-snippets") == 0 && key != "rtp-snippets-debug")
        tell("storage", [this === window.sessionStorage ? "session" : "local", name, String(key)]);
      return original.apply(this, arguments);
    };
  });

  // Where a click got to: window's capture phase (first listener of all), then document's.
  window.__rtpVerifyClicks = [];
  window.addEventListener("click", function (event) {
    window.__rtpVerifyClicks.push({ window: 1, document: 0, target: event.target });
    lastClick = event;
  }, true);
  window.addEventListener("submit", function (event) {
    lastSubmit = event;
  }, true);
  document.addEventListener("click", function (event) {
    var last = window.__rtpVerifyClicks[window.__rtpVerifyClicks.length - 1];
    if (last && last.target === event.target) last.document = 1;
  }, true);

  consent(settings.consent);

  // The consent platform's documented API, in the state asked for ("none": the visitor
  // has not chosen, "refused", "granted"), in place of its script, which is blocked.
  function consent(asked) {
    if (!asked) return;
    var state = asked.state, granted = state == "granted", chosen = state != "none";
    var c = asked.settings, platform = c.platform;
    if (platform == "onetrust") {
      window.OnetrustActiveGroups = granted ? "," + c.groups.join(",") + "," : ",C0001,";
      window.OneTrust = { IsAlertBoxClosed: function () { return chosen; } };
    } else if (platform == "cookiebot") {
      var given = { necessary: true, preferences: false, statistics: false, marketing: false };
      c.categories.forEach(function (category) { given[category] = granted; });
      window.Cookiebot = { consent: given, hasResponse: chosen };
    } else if (platform == "tcf") {
      var yes = {};
      c.purposes.forEach(function (id) { yes[id] = granted; });
      var vendors = {};
      c.vendors.forEach(function (id) { vendors[id] = granted; });
      window.__tcfapi = function (command, version, callback) {
        if (command == "addEventListener")
          callback({ gdprApplies: true, eventStatus: chosen ? "tcloaded" : "cmpuishown",
                     cmpStatus: "loaded", listenerId: 1,
                     purpose: { consents: yes, legitimateInterests: {} },
                     vendor: { consents: vendors, legitimateInterests: {} } }, true);
      };
    } else if (platform == "cookieconsent") {
      window.CookieConsent = {
        validConsent: function () { return chosen; },
        acceptedCategory: function (name) { return granted || name == "necessary" && chosen; }
      };
    } else if (platform == "klaro") {
      window.klaro = { getManager: function () {
        return { confirmed: chosen, watch: function () {},
                 getConsent: function () { return granted; } };
      } };
    } else if (platform == "cookie") {
      if (chosen) document.cookie = c.cookie + "=" + (granted ? c.granted : c.refused) + "; path=/";
      else document.cookie = c.cookie + "=; max-age=0; path=/";
    } else if (platform == "flag") {
      var names = c.flag.split("."), object = window, i;
      for (i = 0; i < names.length - 1; i++) object = object[names[i]] = object[names[i]] || {};
      if (chosen) object[names[names.length - 1]] = granted;
    }
  }

  // --- what a rule should send, read from the live page ---------------------------------

  var FORMAT = new RegExp(settings.format, "g");
  function clean(text) {
    return text.replace(FORMAT, "").replace(/\s+/g, " ").trim();
  }
  // The text a visitor reads: an element's rendered descendants, with block and line
  // break boundaries as spaces, without a link to the element itself (or one around it)
  // that shows no letter or digit. (The bundle's own reader is not used: this is a
  // second implementation of the same rules, so that each checks the other.)
  function readable(element) {
    var targets = {}, node;
    for (node = element; node && node.nodeType == 1; node = node.parentNode)
      if (node.id) targets[node.id] = 1;
    return clean(walk(element, targets, false));
  }
  function walk(node, targets, sighted) {
    var parts = [];
    node.childNodes.forEach(function (child) {
      if (child.nodeType == 3) {
        var visibility = getComputedStyle(node).visibility;
        if (visibility != "hidden" && visibility != "collapse") parts.push(child.data);
        return;
      }
      if (child.nodeType != 1) return;
      var style = getComputedStyle(child), name = child.localName;
      if (style.display == "none" || name == "iframe" || name == "noscript") return;
      if (sighted) {
        var box = child.getBoundingClientRect();
        if (box.width * box.height <= 1 && (style.overflow != "visible" || style.clip != "auto")) return;
      }
      if (permalink(child, targets)) return;
      var inner = walk(child, targets, sighted);
      var block = name == "br" || /^(block|list-item|flex|grid|table|flow-root)/.test(style.display);
      parts.push(block ? " " + inner + " " : inner);
    });
    return parts.join("");
  }
  function permalink(element, targets) {
    if (element.localName != "a") return false;
    var href = element.getAttribute("href") || "";
    if (href.charAt(0) != "#") return false;
    var id = href.slice(1);
    try {
      id = decodeURIComponent(id);
    } catch (error) {}
    if (!Object.prototype.hasOwnProperty.call(targets, id)) return false;
    return !/[\p{L}\p{N}]/u.test(clean(walk(element, targets, true)));
  }
  function path() {
    try {
      return decodeURI(location.pathname);
    } catch (error) {
      return location.pathname;
    }
  }
  // Each value (a list of text and [kind, name] parts) filled in from the element and the
  // page; null where a placeholder is empty (the value is then not sent).
  function fill(values, element) {
    return values.map(function (parts) {
      var text = "";
      for (var i = 0; i < parts.length; i++) {
        var part = parts[i], found;
        if (typeof part == "string") found = part;
        else if (part[0] == "text") found = element ? readable(element) : "";
        else if (part[0] == "attr") found = element ? element.getAttribute(part[1]) : "";
        else if (part[0] == "path") found = path();
        else if (part[0] == "query") found = new URLSearchParams(location.search).get(part[1]);
        else if (part[0] == "host") found = location.hostname;
        else if (part[0] == "title") found = document.title;
        if (!found) return null;
        text += found;
      }
      return text;
    });
  }

  // Why an element cannot be clicked as a person would: hidden, disabled, or covered at
  // its centre by another element (named); "" when it can be.
  function unclickable(element) {
    element.scrollIntoView({ block: "center", inline: "center" });
    var box = element.getBoundingClientRect(), style = getComputedStyle(element);
    if (!box.width || !box.height || style.visibility != "visible" || !element.checkVisibility())
      return "hidden";
    if (element.matches(":disabled") || element.closest("fieldset:disabled")) return "disabled";
    var x = box.left + box.width / 2, y = box.top + box.height / 2, top = document.elementFromPoint(x, y);
    if (top && top !== element && !element.contains(top))
      return "covered by <" + top.localName + (top.id ? "#" + top.id : "") +
        (top.classList.length ? "." + Array.from(top.classList).join(".") : "") + ">";
    return "";
  }

  // The share of the element in view, as a visible rule with a percent measures it: of
  // the element, or of the part of it that fits the window.
  function share(element) {
    var box = element.getBoundingClientRect(), width = innerWidth, height = innerHeight;
    var seen = Math.max(0, Math.min(box.right, width) - Math.max(box.left, 0)) *
      Math.max(0, Math.min(box.bottom, height) - Math.max(box.top, 0));
    var room = Math.min(box.width, width) * Math.min(box.height, height);
    return room > 0 ? seen / room : 0;
  }

  // Fills a form's fields as the constraints allow, and returns the first field that could
  // not be filled ("" when the form is valid).
  var SAMPLES = {
    email: "verify@example.com", url: "https://example.com/", tel: "+15555550100",
    number: "1", range: "1", date: "2024-01-15", time: "10:00", "datetime-local": "2024-01-15T10:00",
    month: "2024-01", week: "2024-W03", color: "#336699", search: "rtp-snippets verify",
    text: "rtp-snippets verify", password: "rtp-snippets-Verify-1"
  };
  function fillForm(form) {
    Array.from(form.elements).forEach(function (field) {
      if (field.disabled || field.readOnly || field.type == "hidden") return;
      if (field.type == "checkbox") {
        if (field.required) field.checked = true;
      } else if (field.type == "radio") {
        if (field.required && !form.querySelector("input[type=radio][name='" + CSS.escape(field.name) + "']:checked"))
          field.checked = true;
      } else if (field.localName == "select") {
        if (field.required && !field.value) {
          var option = Array.from(field.options).find(function (item) { return item.value && !item.disabled; });
          if (option) field.value = option.value;
        }
      } else if (field.willValidate && (field.required || field.value) && !field.checkValidity() || field.required && !field.value) {
        var sample = SAMPLES[field.type] || SAMPLES.text;
        if (field.type == "number" || field.type == "range") {
          var low = field.min !== "" ? Number(field.min) : 1;
          sample = String(low);
        }
        field.value = sample;
        if (field.maxLength > 0 && field.value.length > field.maxLength) field.value = field.value.slice(0, field.maxLength);
        if (field.minLength > 0 && field.value.length < field.minLength) field.value = field.value.padEnd(field.minLength, "x");
      }
    });
    var invalid = Array.from(form.elements).find(function (field) {
      return field.willValidate && !field.checkValidity();
    });
    return invalid ? "<" + invalid.localName + (invalid.name ? " name=" + invalid.name : "") +
      "> (" + invalid.validationMessage + ")" : "";
  }

  // A form's own submit button: inside it, or naming it with form="id".
  var SUBMITS = "button:not([type]),button[type=submit],input[type=submit],input[type=image]";
  function submitter(form) {
    return form.querySelector(SUBMITS) ||
      form.id && Array.from(document.querySelectorAll(SUBMITS)).find(function (button) {
        return button.getAttribute("form") == form.id;
      }) || null;
  }
  // Whether the last click (or the submit it caused) loads another document in this tab:
  // a link, or a form submitted, that page script did not cancel (read once the event's
  // dispatch is over, so every listener has had its say).
  var lastClick = null, lastSubmit = null;
  function inTab(target) {
    var base = document.querySelector("base[target]");
    return /^(_self|_top|_parent)?$/i.test(target || base && base.target || "");
  }
  function leaving() {
    var click = lastClick, submit = lastSubmit;
    lastClick = lastSubmit = null;
    if (submit && !submit.defaultPrevented) {
      var form = submit.target, by = submit.submitter;
      var method = by && by.getAttribute("formmethod") || form.getAttribute("method") || "";
      return !/^dialog$/i.test(method) && inTab(by && by.getAttribute("formtarget") || form.target);
    }
    if (!click || click.defaultPrevented || !(click.target instanceof Element)) return false;
    var link = click.target.closest("a[href],area[href]");
    if (!link || link.hasAttribute("download") || !inTab(link.target)) return false;
    var url = new URL(link.href, document.baseURI);
    if (!/^https?:$/.test(url.protocol)) return false;
    // Only the fragment differs: the page scrolls, it stays.
    return !(link.href.indexOf("#") >= 0 && url.href.split("#")[0] == location.href.split("#")[0]);
  }
  function nth(selector, number) {
    return document.querySelectorAll(selector)[number];
  }

  // What verify.py asks, by name (see _ask there).
  window.__rtpVerify = {
    ran: function () {
      return !!document.documentElement[Symbol.for("rtp-snippets")];
    },
    count: function (selector) {
      return document.querySelectorAll(selector).length;
    },
    hrefs: function (selector) {
      return Array.from(document.querySelectorAll(selector), function (link) { return link.href; });
    },
    // The values of a rule filled from the selector's element `number` (or the first; or,
    // without a selector, from the page alone).
    values: function (values, selector, number) {
      return fill(values, selector ? nth(selector, number || 0) : null);
    },
    // Before a click on the selector's element `number` (or the submit of that form,
    // filled in first): why it cannot be done ("" when it can), the values it should send,
    // and the point a person clicks (the centre of the element or of the submit button).
    prepare: function (values, selector, number, submit) {
      var element = nth(selector, number), target = element, why = "";
      if (submit) {
        why = fillForm(element);
        if (why) return ["cannot be filled: " + why, [], null];
        target = submitter(element);
        if (!target) return ["has no submit button", [], null];
      }
      why = unclickable(target);
      if (why) return [(submit ? "has a submit button that is not clickable: " : "is not clickable: ") + why, [], null];
      var box = target.getBoundingClientRect();
      return ["", fill(values, element), [box.left + box.width / 2, box.top + box.height / 2]];
    },
    // After a click: whether the tab is about to load another page, and the page's clock
    // (Date.now, which Playwright's clock runs).
    clicked: function () {
      return [leaving(), Date.now()];
    },
    now: function () {
      return Date.now();
    },
    scrollToDepth: function (depth) {
      var height = document.documentElement.scrollHeight;
      scrollTo(0, Math.max(0, Math.ceil(height * depth / 100 - innerHeight)));
    },
    scrollToElement: function (selector, number) {
      nth(selector, number).scrollIntoView({ block: "center" });
    },
    // Once the browser has looked again at what is in view: the first report of a new
    // IntersectionObserver over the selectors' elements (the page's own observers, made
    // before it, are told in the same task, first), then one more task. At most half a
    // second (on the page's clock, which runs on by itself too).
    observed: function (selectors) {
      var elements = [];
      selectors.forEach(function (selector) {
        elements.push.apply(elements, document.querySelectorAll(selector));
      });
      if (!elements.length) return null;
      return new Promise(function (done) {
        var observer = new IntersectionObserver(function () {
          observer.disconnect();
          var channel = new MessageChannel();
          channel.port1.onmessage = function () { done(null); };
          channel.port2.postMessage(0);
        });
        elements.forEach(function (element) { observer.observe(element); });
        setTimeout(function () { observer.disconnect(); done(null); }, 500);
      });
    },
    shares: function (selector) {
      return Array.from(document.querySelectorAll(selector), share);
    },
    // The client-navigation walk: a link of the site to a page not shown yet (its path
    // and the point to click), or null; and whether this document was not loaded since.
    nextLink: function (paths, shown) {
      var links = Array.from(document.querySelectorAll("a[href]"));
      for (var i = 0; i < links.length; i++) {
        var url = new URL(links[i].href), path = url.pathname;
        if (url.origin != location.origin || paths.indexOf(path) < 0 || shown.indexOf(path) >= 0) continue;
        if (links[i].target && links[i].target != "_self" || unclickable(links[i])) continue;
        var box = links[i].getBoundingClientRect();
        return [path, [box.left + box.width / 2, box.top + box.height / 2]];
      }
      return null;
    },
    walked: function () {
      return !!window.__rtpVerifyWalk;
    },
    // Whether the last click reached window's capture phase but not document's.
    clickStopped: function () {
      var clicks = window.__rtpVerifyClicks || [], last = clicks[clicks.length - 1];
      return !!last && !!last.window && !last.document;
    }
  };
})
