// Entry grid: mark rows changed since the page loaded and ask before leaving with unsaved changes.
// Review page: a return needs a reason, so the reason box is required once "退回" is chosen.
(function () {
  "use strict";
  var grid = document.getElementById("figure-grid");
  if (grid) {
    var dirty = false;
    grid.addEventListener("input", function (event) {
      var row = event.target.closest("tr[data-row]");
      if (row) { row.classList.add("changed"); }
      dirty = true;
    });
    grid.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  }
  document.querySelectorAll("select[data-decision]").forEach(function (select) {
    var reason = document.getElementById(select.dataset.decision);
    var sync = function () { if (reason) { reason.required = select.value === "return"; } };
    select.addEventListener("change", sync);
    sync();
  });
})();
