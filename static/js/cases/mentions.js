/*
 * mentions.js — tells a user, live, that a note on a case mentioned them or their agency.
 *
 * live.js dispatches "live:case.mentioned" on document.body for every such event the user's
 * agency receives (events.schemas: only the agencies named, and those of the people named).
 * A mention of a person shows only to that person; a mention of an agency to all of it.
 * Texts come translated from the script tag's data attributes (base.html).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var body = document.body;
  if (!script || !body) return;
  var me = parseInt(body.dataset.userId || "0", 10);
  var agency = parseInt(body.dataset.userAgency || "0", 10);

  function forMe(p) {
    return (p.user_ids || []).indexOf(me) >= 0 || (p.agency_ids || []).indexOf(agency) >= 0;
  }

  body.addEventListener("live:case.mentioned", function (e) {
    var ev = e.detail || {};
    var p = ev.payload || {};
    if (ev.replay || !forMe(p)) return;
    var box = document.getElementById("toasts");
    if (!box) return;
    var el = document.createElement("div");
    el.className = "toast text-bg-info show";
    el.setAttribute("role", "alert");
    el.dataset.liveToast = "case.mentioned";
    var head = document.createElement("div");
    head.className = "toast-header";
    var strong = document.createElement("strong");
    strong.className = "me-auto";
    strong.textContent = script.dataset.title;
    head.appendChild(strong);
    var text = document.createElement("div");
    text.className = "toast-body";
    var link = document.createElement("a");
    link.href = "/cases/" + encodeURIComponent(p.case_id) + "/";
    link.textContent = (script.dataset.text || "").replace("{author}", p.author || "").replace("{number}", p.number || "");
    text.appendChild(link);
    var excerpt = document.createElement("div");
    excerpt.className = "small";
    excerpt.textContent = p.excerpt || ""; // textContent: a note is never HTML
    text.appendChild(excerpt);
    el.appendChild(head);
    el.appendChild(text);
    box.appendChild(el);
    if (window.bootstrap) new window.bootstrap.Toast(el, { delay: 30000 }).show();
  });
})();
