/* kehu site: sortable, filterable tables (the search is kehu-search.js; lists wrapped in
   <div class="kehu-table"> are kehu-tables.js's). No network beyond
   the site itself; every value is inserted as text, never HTML. */
(function () {
  "use strict";
  function enhanceTables() {
    document.querySelectorAll(".md-typeset table").forEach(function (table) {
      if (table.dataset.kehu || table.closest(".kehu-table") || !table.tBodies.length || table.tBodies[0].rows.length < 8) return;
      table.dataset.kehu = "1";
      var body = table.tBodies[0];
      var filter = document.createElement("input");
      filter.type = "search";
      filter.className = "kehu-filter";
      filter.placeholder = "筛选本表（" + body.rows.length + " 行）";
      table.parentNode.insertBefore(filter, table);
      filter.addEventListener("input", function () {
        var q = filter.value.trim().toLowerCase();
        Array.prototype.forEach.call(body.rows, function (row) {
          row.hidden = q && row.textContent.toLowerCase().indexOf(q) < 0;
        });
      });
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell, column) {
        cell.classList.add("kehu-sortable");
        cell.title = "点击排序";
        cell.addEventListener("click", function () {
          var ascending = cell.dataset.sort !== "asc";
          cell.dataset.sort = ascending ? "asc" : "desc";
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = a.cells[column].textContent.trim(), y = b.cells[column].textContent.trim();
            var nx = parseFloat(x), ny = parseFloat(y);
            var order = (!isNaN(nx) && !isNaN(ny) && /^-?[\d.]+/.test(x) && /^-?[\d.]+/.test(y))
              ? nx - ny : x.localeCompare(y, "zh-CN");
            return ascending ? order : -order;
          });
          rows.forEach(function (row) { body.appendChild(row); });
        });
      });
    });
  }

  function start() { enhanceTables(); }
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(start);  /* Material's instant navigation */
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
