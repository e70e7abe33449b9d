(function(w) {
  function dom(object, name, args) {
    var found = Reflect.get(Object.getPrototypeOf(object), name, object);
    return args ? found.apply(object, args) : found;
  }
  var RAN = Symbol.for("rtp-snippets"), root = dom(document, "documentElement"), again = root[RAN];
  root[RAN] = 1;
  if (again)
    return;
  if (typeof w.rtp != "function") {
    w.rtp = function() {
      (w.rtp.q = w.rtp.q || []).push(arguments);
    };
  }
  var warned;
  function lost(error) {
    warned = warned || !console.warn("rtp-snippets:", error);
  }
  var debug;
  try {
    debug = /[?&#]rtp-snippets-debug(=off)?(?![^=&#])/.exec(location.search + location.hash);
    if (debug)
      sessionStorage["rtp-snippets-debug"] = debug[1] ? "" : 1;
    debug = sessionStorage["rtp-snippets-debug"] === "1";
  } catch (error) {
  }
  function log(rule, what, args) {
    if (debug)
      console.log("rtp-snippets line", rule[2], what, args);
  }
  var FILE_PATTERN = "\\.(pdf|doc|docx|xls|xlsx|ppt|pptx|odt|ods|odp|rtf|txt|csv|epub|zip|rar|7z|gz|tgz|tar|dmg|exe|msi|png|jpg|jpeg|gif|webp|svg|avif|mp3|wav|ogg|m4a|mp4|mov|webm|avi|mkv|xml|rss|json|ics)$";
  var FILES = new RegExp(FILE_PATTERN, "i");
  function file(url) {
    return FILES.test(new URL(url).pathname);
  }
  function wildcard(text, parts) {
    var at2 = parts[0].length, last = parts.length - 1, i;
    if (!text.startsWith(parts[0]))
      return false;
    for (i = 1; i < last; i++) {
      at2 = text.indexOf(parts[i], at2);
      if (at2 < 0)
        return false;
      at2 += parts[i].length;
    }
    return last ? text.length - parts[last].length >= at2 && text.endsWith(parts[last]) : text.length == at2;
  }
  var consent = 1;
  var KEY = "rtp-snippets queue", SENT = "rtp-snippets sent", AGE = 18e5;
  function stored(storage, key, valid) {
    var list;
    try {
      list = JSON.parse(w[storage].getItem(key));
    } catch (error) {
    }
    return Array.isArray(list) ? list.filter(valid) : [];
  }
  function recent(entry, length) {
    return Array.isArray(entry) && entry.length == length && typeof entry[0] == "number" && typeof entry[1] == "number" && Math.abs(Date.now() - entry[1]) < AGE;
  }
  function queued(entry) {
    var args = recent(entry, 3) && entry[2], value = args && args[2] && args[2].value;
    return !!args && JSON.stringify(args) == JSON.stringify(["send", "event", { value }]) && (value = [].concat(value)).length > 0 && value.length < 5 && value.every(function(part) {
      return typeof part == "string";
    });
  }
  function replay(calls) {
    calls.forEach(function(args) {
      try {
        w.rtp.apply(w, args);
      } catch (error) {
        lost(error);
      }
    });
  }
  function deliver() {
    var calls, sent;
    if (consent < 1)
      return;
    calls = stored("sessionStorage", KEY, queued);
    try {
      sessionStorage.removeItem(KEY);
    } catch (error) {
      return;
    }
    if (!calls.length)
      return;
    sent = stored("localStorage", SENT, function(entry) {
      return recent(entry, 2);
    });
    calls = calls.filter(function(entry) {
      return !sent.some(function(batch) {
        return batch[0] == entry[0];
      });
    });
    try {
      localStorage.setItem(SENT, JSON.stringify(sent.concat(calls.map(function(entry) {
        return [entry[0], entry[1]];
      }))));
    } catch (error) {
    }
    replay(calls.map(function(entry) {
      return entry[2];
    }));
  }
  w.addEventListener("pageshow", function(event) {
    if (event.persisted)
      deliver();
  });
  deliver();
  var queue;
  function leaving(event) {
    var target = event.target, submitter = event.submitter, form = target, link;
    if (event.type == "click") {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey)
        return;
      if (link = dom(target, "closest", ["a[href],area[href]"]))
        return !link.hasAttribute("download") && /^$|html/i.test(link.getAttribute("type") || "") && !file(link.href) && opens(link.target, link.href, link);
      submitter = dom(target, "closest", ["[type=submit],[type=image],button:not([type])"]);
      if (!submitter || !(form = submitter.form) || dom(form, "matches", [":invalid"]) && !dom(form, "noValidate") && !submitter.formNoValidate)
        return;
    }
    function override(name) {
      return submitter && submitter.getAttribute("form" + name);
    }
    return !/^dialog$/i.test(override("method") || dom(form, "method")) && opens(override("target") || dom(form, "target"), override("action") ? submitter.formAction : dom(form, "action"));
  }
  function opens(name, href, link) {
    var base = dom(document, "querySelector", ["base[target]"]), parts = href.split("#");
    return /^(_self|_top|_parent)?$/i.test(name || base && base.target || "") && new URL(href).origin == location.origin && !(link && parts.length > 1 && parts[0] == location.href.split("#")[0]);
  }
  function handle(event, rules) {
    try {
      queue = leaving(event) && [];
    } catch (error) {
    }
    rules();
    var calls = queue;
    queue = 0;
    if (calls && calls.length) {
      try {
        var now = Date.now(), batch = Math.random();
        sessionStorage.setItem(KEY, JSON.stringify(stored("sessionStorage", KEY, queued).concat(
          calls.map(function(args) {
            return [batch, now, args];
          })
        )));
        setTimeout(function() {
          if (event.defaultPrevented)
            deliver();
        });
        setTimeout(deliver, 1e3);
      } catch (error) {
        replay(calls);
      }
    }
  }
  function emit(value, rule) {
    var args = ["send", "event", { value }];
    log(rule, queue ? "queued for the next page" : "sent", args);
    if (queue)
      queue.push(args);
    else
      replay([args]);
  }
  function fire(rule, element) {
    var list = values(rule[1], element);
    if (!list.length)
      return log(rule, "not sent: a placeholder is empty", rule[1]);
    allow(rule, list);
  }
  function values(value, element) {
    if (typeof value == "string")
      return [value];
    return value.map(function(parts) {
      if (typeof parts == "string")
        return parts;
      var text = "";
      for (var i = 0; i < parts.length; i++) {
        var found = typeof parts[i] == "string" ? parts[i] : fill[parts[i][0]](element, parts[i][1]);
        if (!found)
          return "";
        text += found;
      }
      return text;
    }).filter(Boolean);
  }
  var fill = /* @__PURE__ */ Object.create(null);
  var FORMAT_PATTERN = "[\xAD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]";
  var FORMAT = new RegExp(FORMAT_PATTERN, "g");
  function read(element) {
    var ids = [], around = element;
    for (; around; around = dom(around, "parentElement"))
      ids.push(dom(around, "id"));
    return clean(displayed(element, ids));
  }
  function clean(text) {
    return text.replace(FORMAT, "").replace(/\s+/g, " ").trim();
  }
  function displayed(node, ids, sighted) {
    var text = "", child = dom(node, "firstChild"), type, style, box, inner;
    for (; child; child = dom(child, "nextSibling")) {
      type = dom(child, "nodeType");
      if (type == 3) {
        if (!/hidden|collapse/.test(getComputedStyle(node).visibility))
          text += child.data;
      } else if (type == 1 && (style = getComputedStyle(child)).display != "none" && !/^(iframe|noscript)$/.test(dom(child, "localName"))) {
        if (sighted && (box = dom(child, "getBoundingClientRect", [])).width * box.height <= 1 && (style.overflow != "visible" || style.clip != "auto"))
          continue;
        inner = permalink(child, ids) ? "" : displayed(child, ids, sighted);
        text += /^(block|list-item|flex|grid|table|flow-root)/.test(style.display) || dom(child, "localName") == "br" ? " " + inner + " " : inner;
      }
    }
    return text;
  }
  function permalink(element, ids) {
    var href = dom(element, "localName") == "a" && element.getAttribute("href") || "";
    try {
      href = decodeURIComponent(href);
    } catch (error) {
    }
    return href[0] == "#" && ids.indexOf(href.slice(1)) >= 0 && !/[\p{L}\p{N}]/u.test(clean(displayed(element, ids, 1)));
  }
  fill.text = read;
  fill.attr = function(element, name) {
    return dom(element, "getAttribute", [name]);
  };
  fill.path = function() {
    return path;
  };
  fill.query = function(element, name) {
    return new URLSearchParams(location.search).get(name);
  };
  fill.host = function() {
    return location.hostname;
  };
  fill.title = function() {
    return dom(document, "title");
  };
  function allow(rule, list) {
    pass(rule, list);
  }
  var fired;
  function forget() {
    fired = /* @__PURE__ */ Object.create(null);
  }
  forget();
  function first(once, key) {
    key = "rtp-snippets:" + key;
    if (fired[key])
      return false;
    fired[key] = 1;
    if (once == "session") {
      try {
        if (sessionStorage.getItem(key) == "1")
          return false;
        sessionStorage.setItem(key, 1);
      } catch (error) {
      }
    }
    return true;
  }
  function pass(rule, list) {
    var once = option(rule, "once");
    if (once && !first(once, option(rule, "key")))
      return log(rule, "not sent: once " + once, list);
    send(rule, list);
  }
  function send(rule, list) {
    function call(value) {
      emit(value, rule);
    }
    if (list.length == 1)
      call(list[0]);
    else
      for (var i = 0; i < list.length; i += 4)
        call(list.slice(i, i + 4));
  }
  function option(rule, name) {
    var options = rule.length > 3 && rule[3];
    return options && Object.prototype.hasOwnProperty.call(options, name) ? options[name] : 0;
  }
  function zeros() {
    return Array(size).fill(0);
  }
  function step(set, mask) {
    for (var next = [], carry = 0, word = 0, bits; word < size; word++) {
      bits = set[word] & mask[word];
      next[word] = bits << 1 | carry;
      carry = bits >>> 31;
    }
    return next;
  }
  function matches(tokens) {
    var reached = zeros(), k, token, next, word, bits, carry, low, i;
    for (reached[0] = 1, k = 0; k < tokens.length; k++) {
      token = tokens[k];
      if (token == "*") {
        for (next = [], carry = word = 0; word < size; word++) {
          bits = ((reached[word] & others[word]) >>> 0) + (others[word] >>> 0) + carry;
          carry = bits > 4294967295;
          next[word] = reached[word] | bits ^ others[word];
        }
      } else if (token.charAt(1) == "*") {
        bits = token == "**" ? reached : step(reached, at["/"] || none);
        for (next = [], low = word = 0; word < size; word++)
          next[word] = reached[word] | (low ? -1 : (low = bits[word] & -bits[word]) && -low);
      } else {
        for (next = reached, i = 0; i < token.length; i++)
          next = step(next, token == "?" ? others : at[token[i]] || none);
      }
      reached = next;
    }
    return reached[page.length >> 5] >> page.length & 1;
  }
  function applies(rule) {
    var pages = option(rule, "pages"), exclude = option(rule, "exclude");
    return (!pages || pages.some(matches)) && !(exclude && exclude.some(matches));
  }
  function scoped(list) {
    return list.filter(applies);
  }
  var path, page, size, at, none, others;
  function where() {
    var position;
    path = location.pathname;
    try {
      path = decodeURI(path);
    } catch (error) {
    }
    page = path.replace(/\/index\.html?$/, "/");
    size = (page.length >> 5) + 1;
    at = /* @__PURE__ */ Object.create(null);
    none = zeros();
    others = zeros();
    for (position = 0; position < page.length; position++) {
      (at[page[position]] = at[page[position]] || zeros())[position >> 5] |= 1 << position;
      if (page[position] != "/")
        others[position >> 5] |= 1 << position;
    }
  }
  where();
  function ready(callback) {
    if (dom(document, "readyState") == "loading")
      dom(document, "addEventListener", ["DOMContentLoaded", callback]);
    else
      callback();
  }
  function each(callback) {
    ready(callback);
  }
  function linked(link, parts) {
    var url;
    try {
      url = new URL(link.getAttribute("href"), dom(document, "baseURI"));
    } catch (error) {
      return;
    }
    if (parts === "outbound")
      return (url.protocol == "http:" || url.protocol == "https:") && url.hostname != location.hostname;
    if (parts === "file")
      return file(url);
    url.search = url.hash = "";
    return wildcard(url.href.toLowerCase(), parts);
  }
  function listen(type, rules) {
    dom(document, "addEventListener", [type, function(event) {
      handle(event, function() {
        scoped(rules).forEach(function(rule) {
          try {
            var element = dom(event.target, "closest", [rule[0]]), parts = option(rule, "link");
            if (element && (!parts || linked(element, parts)))
              fire(rule, element);
          } catch (error) {
            lost(error);
          }
        });
      });
    }, true]);
  }
  listen("click", [["#download-whitepaper", "download - example whitepaper", 11], ["a.cta[href^='/pricing']", "pricing call to action", 14], ["#newsletter button", ["newsletter", "signup", "footer", [["text"]], ["campaign ", ["query", "utm_campaign"]], "{braces}"], 26], ["a[href],area[href]", [["pdf - ", ["attr", "href"]]], 31, { "link": ["", ".pdf"] }], ["a[href],area[href]", [["outbound - ", ["attr", "href"], " from ", ["title"], " on ", ["host"]]], 32, { "link": "outbound" }]]);
  listen("submit", [["form.contact", ["contact form", ["lead - ", ["attr", "data-product"]], ["from ", ["path"]]], 20, { "once": "session", "key": "76f691ccd78c" }]]);
  function view(rules) {
    each(function() {
      scoped(rules).forEach(function(rule) {
        try {
          var element = rule[0] ? dom(document, "querySelector", [rule[0]]) : null;
          if (element || !rule[0])
            fire(rule, element);
        } catch (error) {
          lost(error);
        }
      });
    });
  }
  view([[0, "viewed pricing", 37, { "once": "page", "key": "3b9a26571e80", "pages": [["/pricing", "/**"]], "exclude": [["/pricing/archive", "/**"]] }]]);
  function visible(list) {
    ready(function() {
      var rules, seen, added = [], timers2, thresholds = [], step2;
      for (step2 = 0; step2 <= 100; step2++)
        thresholds.push(step2 / 100);
      function dwelt(element, started, index, rule) {
        if (timers2.get(element) == started) {
          started[index] = true;
          try {
            fire(rule, element);
          } catch (error) {
            lost(error);
          }
        }
      }
      var observer = new IntersectionObserver(function(entries) {
        entries.forEach(function(entry) {
          var element = entry.target, box = entry.boundingClientRect, view2 = entry.rootBounds, share = entry.intersectionRatio, started = timers2.get(element) || [], ms, all = 1;
          timers2.set(element, started);
          if (view2)
            share /= Math.min(1, view2.width / box.width) * Math.min(1, view2.height / box.height);
          rules.forEach(function(rule, index) {
            try {
              if (started[index] === true || !dom(element, "matches", [rule[0]]))
                return;
              if (entry.isIntersecting && share >= option(rule, "share")) {
                if (!started[index]) {
                  ms = option(rule, "ms");
                  if (ms)
                    started[index] = setTimeout(dwelt, ms, element, started, index, rule);
                  else
                    dwelt(element, started, index, rule);
                }
              } else {
                clearTimeout(started[index]);
                started[index] = 0;
              }
            } catch (error) {
              lost(error);
            }
            if (started[index] !== true)
              all = 0;
          });
          if (all)
            observer.unobserve(element);
        });
      }, { threshold: thresholds });
      function watch(element) {
        if (!seen.has(element)) {
          seen.add(element);
          observer.unobserve(element);
          observer.observe(element);
        }
      }
      function scan(top) {
        rules.forEach(function(rule) {
          try {
            if (top != document && dom(top, "matches", [rule[0]]))
              watch(top);
            dom(top, "querySelectorAll", [rule[0]]).forEach(watch);
          } catch (error) {
          }
        });
      }
      each(function() {
        rules = scoped(list);
        seen = /* @__PURE__ */ new WeakSet();
        timers2 = /* @__PURE__ */ new WeakMap();
        scan(document);
      });
      new MutationObserver(function(records) {
        var waiting = added.length;
        records.forEach(function(record) {
          record.addedNodes.forEach(function(node) {
            if (dom(node, "nodeType") == 1)
              added.push(node);
          });
        });
        if (!waiting && added.length)
          requestAnimationFrame(function() {
            added.splice(0).forEach(function(element) {
              if (dom(element, "isConnected"))
                scan(element);
            });
          });
      }).observe(root, { childList: true, subtree: true });
    });
  }
  visible([["#case-study", "saw case study", 40, { "once": "session", "key": "f54b02bf3049" }], [".pricing-table", "saw pricing", 46, { "once": "session", "key": "445b8b34bc38", "share": 0.5, "ms": 2e3 }]]);
  var pending;
  function scrolled() {
    var depth = (Math.ceil(w.scrollY) + w.innerHeight) / root.scrollHeight * 100;
    pending = pending.filter(function(rule) {
      if (depth < rule[0])
        return true;
      try {
        fire(rule, null);
      } catch (error) {
        lost(error);
      }
    });
    if (!pending.length)
      w.removeEventListener("scroll", scrolled);
  }
  function scroll(rules) {
    each(function() {
      pending = scoped(rules);
      w.addEventListener("scroll", scrolled, { passive: true });
      scrolled();
    });
  }
  scroll([[75, "read three quarters", 49, { "pages": [["/blog", "/**"]] }], [25, "read 25", 51, { "exclude": [["/blog", "/**"]] }], [50, "read 50", 51, { "exclude": [["/blog", "/**"]] }], [75, "read 75", 51, { "exclude": [["/blog", "/**"]] }], [100, "read 100", 51, { "exclude": [["/blog", "/**"]] }]]);
  var timers = [];
  function timer(rules) {
    timers.forEach(clearTimeout);
    timers = scoped(rules).map(function(rule) {
      return setTimeout(function() {
        try {
          fire(rule, null);
        } catch (error) {
          lost(error);
        }
      }, rule[0] * 1e3);
    });
  }
  timer([[30, "engaged 30 seconds", 55, { "once": "session", "key": "1e03ae26abd4" }]]);
})(window);

