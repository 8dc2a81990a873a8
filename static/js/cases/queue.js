// Keyboard use of the triage queue: j/k move, Enter opens, a assigns the selected case to me,
// x ticks it for a bulk action, / focuses the search box. The selection and the ticks survive
// an htmx refresh of the rows (they are remembered by case id).
(function () {
  "use strict";
  var body = document.getElementById("queue-rows");
  if (!body) return;
  var bulk = document.getElementById("queue-bulk");
  var selectedId = null;
  var picked = {};

  function rows() { return Array.prototype.slice.call(body.querySelectorAll("tr[data-case-id]")); }
  function rowOf(id) { return body.querySelector('tr[data-case-id="' + id + '"]'); }

  function select(row) {
    rows().forEach(function (r) { r.classList.remove("table-active"); r.removeAttribute("aria-selected"); });
    if (!row) return;
    row.classList.add("table-active");
    row.setAttribute("aria-selected", "true");
    selectedId = row.getAttribute("data-case-id");
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var idx = list.findIndex(function (r) { return r.getAttribute("data-case-id") === selectedId; });
    idx = idx < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, idx + step));
    select(list[idx]);
  }

  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }

  function countPicked() {
    var n = Object.keys(picked).length;
    var out = document.getElementById("bulk-count");
    if (out) out.textContent = String(n);
    var all = document.getElementById("bulk-all");
    if (all) {
      var boxes = body.querySelectorAll("input.bulk-pick");
      all.checked = boxes.length > 0 && Array.prototype.every.call(boxes, function (b) { return b.checked; });
    }
  }

  function restorePicks() {
    body.querySelectorAll("input.bulk-pick").forEach(function (box) { box.checked = !!picked[box.value]; });
    countPicked();
  }

  function toggle(row) {
    var box = row && row.querySelector("input.bulk-pick");
    if (!box) return;
    box.checked = !box.checked;
    if (box.checked) picked[box.value] = true; else delete picked[box.value];
    countPicked();
  }

  function flash(row, ok) {
    row.classList.add(ok ? "table-success" : "table-danger");
    window.setTimeout(function () { row.classList.remove("table-success", "table-danger"); }, 1500);
  }

  // "a": assign the selected case to me (the case page's own "assign to me" form action).
  function assignToMe(row) {
    if (!bulk || !row) return;
    var token = bulk.querySelector("input[name=csrfmiddlewaretoken]");
    var url = bulk.getAttribute("data-assign-url").replace("/0/", "/" + row.getAttribute("data-case-id") + "/");
    var data = new FormData();
    data.append("to_me", "1");
    data.append("csrfmiddlewaretoken", token ? token.value : "");
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (resp) {
        flash(row, resp.ok);
        if (resp.ok) document.body.dispatchEvent(new CustomEvent("queue:refresh"));
      })
      .catch(function () { flash(row, false); });
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "/" && !typing(document.activeElement)) {
      ev.preventDefault();
      var search = document.getElementById("queue-search");
      if (search) { search.focus(); search.select(); }
      return;
    }
    if (typing(document.activeElement)) {
      if (ev.key === "Escape") document.activeElement.blur();
      return;
    }
    var row = selectedId ? rowOf(selectedId) : null;
    if (ev.key === "j" || ev.key === "ArrowDown") { ev.preventDefault(); move(1); }
    else if (ev.key === "k" || ev.key === "ArrowUp") { ev.preventDefault(); move(-1); }
    else if (ev.key === "Enter" && row) { ev.preventDefault(); window.location.href = row.getAttribute("data-href"); }
    else if (ev.key === "a" && row) { ev.preventDefault(); assignToMe(row); }
    else if (ev.key === "x" && row) { ev.preventDefault(); toggle(row); }
  });

  // A click anywhere on a row (not only on the number) opens the case, as on a phone.
  body.addEventListener("click", function (ev) {
    var row = ev.target.closest("tr[data-case-id]");
    if (!row || ev.target.closest("a, button, input, label")) return;
    window.location.href = row.getAttribute("data-href");
  });

  body.addEventListener("change", function (ev) {
    var box = ev.target.closest("input.bulk-pick");
    if (!box) return;
    if (box.checked) picked[box.value] = true; else delete picked[box.value];
    countPicked();
  });

  var all = document.getElementById("bulk-all");
  if (all) all.addEventListener("change", function () {
    body.querySelectorAll("input.bulk-pick").forEach(function (box) {
      box.checked = all.checked;
      if (all.checked) picked[box.value] = true; else delete picked[box.value];
    });
    countPicked();
  });

  body.addEventListener("htmx:afterSwap", function () {
    if (selectedId) select(rowOf(selectedId));
    restorePicks();
  });
})();
