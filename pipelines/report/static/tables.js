// Sort and filter for the page's long tables. No library; the page works without it.
//
// <table class="sortable">: every column header becomes a button; a cell's data-sort (if
// any) is what it sorts by; headers with data-type="number" sort numerically.
// <div class="controls" data-controls="TABLE_ID">: an input data-filter="text" keeps the
// rows containing every word typed; a select data-filter="NAME" keeps the rows whose
// data-NAME equals its value; an <output data-count> says how many rows are shown.
(function () {
  "use strict";

  var collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = th.getAttribute("data-type") === "number";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index);
          var order = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : collator.compare(x, y);
          return ascending ? order : -order;
        });
        var fragment = document.createDocumentFragment();
        rows.forEach(function (row) { fragment.appendChild(row); });
        body.appendChild(fragment);
      });
    });
  }

  function makeFilterable(controls) {
    var table = document.getElementById(controls.getAttribute("data-controls"));
    if (!table) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
    var fields = Array.prototype.slice.call(controls.querySelectorAll("[data-filter]"));
    var count = controls.querySelector("[data-count]");

    function apply() {
      var words = [];
      var attributes = [];
      fields.forEach(function (field) {
        var name = field.getAttribute("data-filter");
        if (name === "text") {
          words = field.value.toLowerCase().split(/\s+/).filter(Boolean);
        } else if (field.value) {
          attributes.push(["data-" + name, field.value]);
        }
      });
      var shown = 0;
      rows.forEach(function (row, i) {
        var keep = words.every(function (w) { return texts[i].indexOf(w) !== -1; }) &&
          attributes.every(function (a) { return row.getAttribute(a[0]) === a[1]; });
        row.hidden = !keep;
        if (keep) shown += 1;
      });
      if (count) {
        count.value = "Showing " + shown.toLocaleString("en") + " of " + rows.length.toLocaleString("en");
        count.setAttribute("data-shown", String(shown));
      }
    }

    fields.forEach(function (field) {
      field.addEventListener(field.tagName === "SELECT" ? "change" : "input", apply);
    });
    apply();
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
  Array.prototype.forEach.call(document.querySelectorAll("[data-controls]"), makeFilterable);
})();
