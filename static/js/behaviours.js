/* Small page behaviours declared with data attributes, so that no template needs an inline
 * script or an on*= handler (the Content-Security-Policy allows scripts from /static/ only).
 * Delegated from the document: they also work in fragments htmx swaps in later.
 *   <form data-confirm="question">            asks before submitting
 *   <select data-autosubmit>                   submits its form when changed
 *   <button data-print>                        opens the print dialog
 *   <a data-freeze-indicator="id">             puts that id into #freeze-indicator (case page)
 */
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) e.preventDefault();
  }, true);
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.submit();
  });
  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-print], [data-freeze-indicator]") : null;
    if (!el) return;
    if (el.hasAttribute("data-print")) window.print();
    if (el.dataset.freezeIndicator) {
      var input = document.getElementById("freeze-indicator");
      if (input) input.value = el.dataset.freezeIndicator;
    }
  });
})();
