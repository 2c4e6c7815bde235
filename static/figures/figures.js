// Entry grid: a block pasted from Excel or WPS fills rows and columns; Enter moves down a row like a
// spreadsheet; rows changed since the page loaded are marked and leaving with unsaved changes asks first.
// Every pasted cell is then checked on the server by the same rules as a typed one.
// Review page: a return needs a reason, so the reason box is required once "退回" is chosen.
(function () {
  "use strict";
  var grid = document.getElementById("figure-grid");

  // The inputs a row offers in the order a spreadsheet row carries them: value (or numerator, denominator),
  // comment, source. Checkboxes are not filled by a paste.
  function cellsOf(row) {
    return Array.prototype.filter.call(row.querySelectorAll("input[type=text], input:not([type]), textarea"),
      function (el) { return !el.disabled && !el.readOnly; });
  }

  function editableRows() {
    return Array.prototype.filter.call(grid.querySelectorAll("tr[data-row]"),
      function (row) { return cellsOf(row).length > 0; });
  }

  // A clipboard table: rows by newline, cells by tab; Excel ends the last row with a newline.
  function parseBlock(text) {
    var lines = text.replace(/\r\n?/g, "\n").split("\n");
    if (lines.length && lines[lines.length - 1] === "") { lines.pop(); }
    return lines.map(function (line) { return line.split("\t"); });
  }

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

    grid.addEventListener("paste", function (event) {
      var start = event.target;
      var text = (event.clipboardData || window.clipboardData).getData("text");
      if (!text || !/[\t\n]/.test(text.replace(/\n$/, ""))) { return; }  // one cell: the browser pastes it
      var row = start.closest("tr[data-row]");
      if (!row) { return; }
      event.preventDefault();
      var rows = editableRows();
      var rowIndex = rows.indexOf(row);
      var column = cellsOf(row).indexOf(start);
      parseBlock(text).forEach(function (values, offset) {
        var target = rows[rowIndex + offset];
        if (!target) { return; }
        var cells = cellsOf(target);
        values.forEach(function (value, k) {
          var cell = cells[column + k];
          if (cell) {
            cell.value = value.trim();
            cell.dispatchEvent(new Event("input", {bubbles: true}));
          }
        });
      });
    });

    grid.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.target.tagName === "TEXTAREA" || event.target.type === "checkbox") { return; }
      var row = event.target.closest("tr[data-row]");
      if (!row) { return; }
      event.preventDefault();  // Enter moves down, as in a spreadsheet; the buttons submit
      var rows = editableRows();
      var column = cellsOf(row).indexOf(event.target);
      var next = rows[rows.indexOf(row) + (event.shiftKey ? -1 : 1)];
      if (next) {
        var cells = cellsOf(next);
        (cells[Math.min(column, cells.length - 1)] || cells[0]).focus();
      }
    });
  }

  document.querySelectorAll("select[data-decision]").forEach(function (select) {
    var reason = document.getElementById(select.dataset.decision);
    var sync = function () { if (reason) { reason.required = select.value === "return"; } };
    select.addEventListener("change", sync);
    sync();
  });
})();
