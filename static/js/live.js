/*
 * live.js — one WebSocket per page to /ws/events/, for every logged-in page (included by base.html).
 *
 * Data-attribute protocol for page owners (no JavaScript needed on your side):
 *
 *   <tbody id="inbox-rows"
 *          data-live-refresh="{% url 'alerts:inbox_rows' %}?{{ request.GET.urlencode }}"
 *          data-live-kinds="request.,signal.">          comma list of kind prefixes ("" = all)
 *          [data-live-swap="innerHTML"]                 htmx swap style (default innerHTML)
 *          [data-live-case="123"]                       only events about this case
 *
 *   When a matching event arrives the element is re-fetched with htmx.ajax (debounced, one
 *   request per burst). Children with an id or data-row-id that were not there before get the
 *   class "row-new" (highlight; app.css may style it). Checkboxes ticked in it stay ticked
 *   (matched by name and value). Counters work the same way: give the
 *   counter element its own data-live-refresh partial.
 *
 *   <body data-live-case="123">  on a case page: the socket subscribes to that case, so the
 *                                server checks the user may see it (it never widens delivery).
 *   [data-live-status]           badge shown while live updates are down.
 *   [data-live-sound]            a checkbox/button toggling the beep (stored in localStorage).
 *
 *   <body data-live-state>       set by this script: "ready" once caught up, "down" while not.
 *
 * DOM events on document.body: "live:event" and "live:<kind>" (e.g. "live:request.delivered"),
 * detail = {id, kind, case, at, payload, replay}. htmx users may also write
 * hx-trigger="live:request.delivered from:body". "live:status" has detail {up: true|false}.
 *
 * The server is the truth: the last id seen is kept in sessionStorage and sent on (re)connect,
 * so a dropped connection catches up in order without duplicates.
 */
(function () {
  "use strict";
  if (window.fraudgovLive || !document.body) return;
  var body = document.body;
  if (!body.dataset.userAgency && !body.dataset.userRole) return; // anonymous page

  var KEY = "live.lastId";
  var SOUND_KEY = "live.sound";
  var URGENT = ["request.escalated", "signal.received", "request.needs_dispatch"];
  var RECEIVER_URGENT = ["request.created", "request.delivered"];
  var baseTitle = document.title;
  var unseen = 0;
  var delay = 1000;
  var sock = null;
  var replaying = false;
  var pending = new Map(); // region element -> timer

  function lastId() {
    var v = sessionStorage.getItem(KEY);
    return v === null ? null : parseInt(v, 10) || 0;
  }

  function setStatus(up) {
    document.querySelectorAll("[data-live-status]").forEach(function (el) { el.hidden = up; });
    body.dataset.liveState = up ? "ready" : "down";
    body.dispatchEvent(new CustomEvent("live:status", { detail: { up: up } }));
  }

  function matches(el, ev) {
    var kinds = (el.dataset.liveKinds || "").split(",").map(function (k) { return k.trim(); }).filter(Boolean);
    var kindOk = !kinds.length || kinds.some(function (k) { return ev.kind.indexOf(k) === 0; });
    var caseOk = !el.dataset.liveCase || String(ev.case) === el.dataset.liveCase;
    return kindOk && caseOk;
  }

  function rowKeys(el) {
    var keys = new Set();
    Array.prototype.forEach.call(el.children, function (c) { keys.add(c.dataset.rowId || c.id || ""); });
    return keys;
  }

  function refresh(el) {
    if (pending.has(el)) return;
    pending.set(el, setTimeout(function () {
      pending.delete(el);
      if (!window.htmx) return;
      var before = rowKeys(el);
      // source: el, so two regions refreshed in one burst do not queue behind each other on
      // document.body (htmx resolves a queued request's promise before its swap).
      window.htmx.ajax("GET", el.dataset.liveRefresh, { source: el, target: el, swap: el.dataset.liveSwap || "innerHTML" })
        .then(function () {
          Array.prototype.forEach.call(el.children, function (c) {
            var k = c.dataset.rowId || c.id || "";
            if (k && !before.has(k)) c.classList.add("row-new");
          });
        });
    }, 150));
  }

  // Ticked boxes survive a re-render: a clerk picking rows for a bulk action in a busy inbox
  // would otherwise lose the selection with every request that arrives. Taken just before the
  // swap (a box ticked while the fetch ran counts) and put back on the new rows.
  function tickedKeys(el) {
    var keys = new Set();
    el.querySelectorAll("input[type=checkbox][name]:checked").forEach(function (c) { keys.add(c.name + "=" + c.value); });
    return keys;
  }
  var ticked = new WeakMap();
  body.addEventListener("htmx:beforeSwap", function (e) {
    var el = e.detail.target;
    if (el && el.dataset && el.dataset.liveRefresh) ticked.set(el, tickedKeys(el));
  });
  body.addEventListener("htmx:afterSwap", function (e) {
    var el = e.detail.target;
    var keys = el && ticked.get(el);
    if (!keys || !keys.size) return;
    ticked.delete(el);
    el.querySelectorAll("input[type=checkbox][name]").forEach(function (c) {
      if (keys.has(c.name + "=" + c.value)) c.checked = true;
    });
  });

  var fireTimers = {};
  function fireSoon(name) {
    if (fireTimers[name]) return;
    fireTimers[name] = setTimeout(function () {
      delete fireTimers[name];
      body.dispatchEvent(new CustomEvent(name));
    }, 150);
  }

  function isUrgent(ev) {
    if (URGENT.indexOf(ev.kind) >= 0) return true;
    // The issuing side's view carries target_agency; a receiver's minimal view never does.
    return RECEIVER_URGENT.indexOf(ev.kind) >= 0 && ev.payload && !("target_agency" in ev.payload);
  }

  function beep() {
    if (localStorage.getItem(SOUND_KEY) !== "on") return;
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      var ctx = new Ctx();
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.25);
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.25);
      osc.onended = function () { ctx.close(); };
    } catch (e) { /* no audio: the toast is enough */ }
  }

  // As the pages write an amount (¥{{ x|floatformat:2|intcomma }}); none for a request without one.
  function yuan(amount) {
    var n = Number(amount);
    if (!amount || !isFinite(n) || n === 0) return "";
    return "¥" + n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function toast(ev) {
    var box = document.getElementById("toasts");
    if (!box || !window.bootstrap) return;
    var p = ev.payload || {};
    var el = document.createElement("div");
    el.className = "toast text-bg-warning";
    el.setAttribute("role", "alert");
    el.dataset.liveToast = ev.kind;
    var head = document.createElement("div");
    head.className = "toast-header";
    var strong = document.createElement("strong");
    strong.className = "me-auto";
    strong.textContent = p.kind_display || ev.kind; // textContent: payloads are never HTML
    head.appendChild(strong);
    var text = document.createElement("div");
    text.className = "toast-body";
    text.textContent = [p.number, p.status_display, yuan(p.amount)].filter(Boolean).join(" · ");
    el.appendChild(head);
    el.appendChild(text);
    box.appendChild(el);
    new window.bootstrap.Toast(el, { delay: 8000 }).show();
    el.addEventListener("hidden.bs.toast", function () { el.remove(); });
  }

  function showCount() {
    document.title = unseen && document.hidden ? "(" + unseen + ") " + baseTitle : baseTitle;
  }

  function handle(ev) {
    sessionStorage.setItem(KEY, String(ev.id));
    ev.replay = replaying;
    body.dispatchEvent(new CustomEvent("live:event", { detail: ev }));
    body.dispatchEvent(new CustomEvent("live:" + ev.kind, { detail: ev }));
    if (document.hidden) { unseen += 1; showCount(); }
    document.querySelectorAll("[data-live-refresh]").forEach(function (el) { if (matches(el, ev)) refresh(el); });
    // Bridges for pages that already listen with hx-trigger="queue:refresh from:body" (cases queue)
    // and "case:refresh from:body" (the case page's timeline, marked data-case-id).
    if (ev.kind.indexOf("case.") === 0) fireSoon("queue:refresh");
    if (ev.case && document.querySelector('[data-case-id="' + ev.case + '"]')) fireSoon("case:refresh");
    if (!replaying && isUrgent(ev)) { toast(ev); beep(); }
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    sock = new WebSocket(proto + location.host + "/ws/events/");
    sock.onopen = function () {
      replaying = true;
      sock.send(JSON.stringify({ type: "hello", last_id: lastId() }));
      if (body.dataset.liveCase) sock.send(JSON.stringify({ type: "subscribe", case: body.dataset.liveCase }));
    };
    sock.onmessage = function (msg) {
      var data = JSON.parse(msg.data);
      if (data.type === "event") handle(data);
      else if (data.type === "ready") {
        replaying = false;
        delay = 1000;
        if (typeof data.last_id === "number") sessionStorage.setItem(KEY, String(data.last_id));
        setStatus(true);
      }
    };
    sock.onclose = function (e) {
      setStatus(false);
      if (e.code === 4401) return; // logged out: reconnecting cannot help
      // Exponential back-off with jitter, capped at 30 s, so a restarted server isn't stampeded.
      setTimeout(connect, delay + Math.random() * delay / 2);
      delay = Math.min(delay * 2, 30000);
    };
  }

  document.addEventListener("visibilitychange", function () { if (!document.hidden) { unseen = 0; showCount(); } });
  document.querySelectorAll("[data-live-sound]").forEach(function (el) {
    var on = localStorage.getItem(SOUND_KEY) === "on";
    if ("checked" in el) el.checked = on;
    el.addEventListener("change", function () { localStorage.setItem(SOUND_KEY, el.checked ? "on" : "off"); });
    el.addEventListener("click", function () {
      if ("checked" in el) return;
      localStorage.setItem(SOUND_KEY, localStorage.getItem(SOUND_KEY) === "on" ? "off" : "on");
    });
  });

  window.fraudgovLive = { reconnect: function () { if (sock) sock.close(); }, lastId: lastId };
  connect();
})();
