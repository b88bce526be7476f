/* kehu site: customer search (Chinese substrings, pinyin, initials) and sortable, filterable
   tables. No network beyond the site itself; every value is inserted as text, never HTML. */
(function () {
  "use strict";
  var config = JSON.parse((document.getElementById("__config") || {}).textContent || "{}");
  var base = (config.base || ".").replace(/\/$/, "") + "/";
  var index = null;

  function load() {
    if (!index) {
      index = fetch(base + "assets/kehu-search.json").then(function (r) { return r.json(); });
    }
    return index;
  }

  function matches(item, query) {
    var q = query.toLowerCase().replace(/\s+/g, "");
    if (!q) return false;
    if (item.w.toLowerCase().indexOf(q) >= 0) return true;
    var spelled = item.p.split(" ");
    for (var i = 0; i < spelled.length; i++) {
      if (spelled[i] && spelled[i].indexOf(q) === 0) return true;
    }
    return false;
  }

  function render(box, results, query) {
    box.textContent = "";
    if (!query) { box.hidden = true; return; }
    box.hidden = false;
    if (!results.length) {
      var none = document.createElement("div");
      none.className = "kehu-search__none";
      none.textContent = "没有找到：" + query;
      box.appendChild(none);
      return;
    }
    results.slice(0, 30).forEach(function (item) {
      var a = document.createElement("a");
      a.className = "kehu-search__hit";
      a.href = base + item.u;
      var kind = document.createElement("span");
      kind.className = "kehu-search__kind";
      kind.textContent = item.k;
      var title = document.createElement("span");
      title.textContent = item.t;
      a.appendChild(kind);
      a.appendChild(title);
      box.appendChild(a);
    });
  }

  function mountSearch() {
    var header = document.querySelector(".md-header__inner");
    if (!header || document.querySelector(".kehu-search")) return;
    var wrap = document.createElement("div");
    wrap.className = "kehu-search";
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = "搜索：姓名、小区、拼音、首字母";
    input.setAttribute("aria-label", "搜索客户");
    var box = document.createElement("div");
    box.className = "kehu-search__results";
    box.hidden = true;
    wrap.appendChild(input);
    wrap.appendChild(box);
    header.appendChild(wrap);
    function run() {
      var query = input.value.trim();
      load().then(function (items) {
        var found = query ? items.filter(function (item) { return matches(item, query); }) : [];
        /* what the query names first (a person, a rule), then records that merely mention it */
        var q = query.toLowerCase();
        found.sort(function (a, b) {
          return (a.t.toLowerCase().indexOf(q) < 0) - (b.t.toLowerCase().indexOf(q) < 0);
        });
        render(box, found, query);
      });
    }
    input.addEventListener("input", run);
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) { input.value = q; run(); }
  }

  function enhanceTables() {
    document.querySelectorAll(".md-typeset table").forEach(function (table) {
      if (table.dataset.kehu || !table.tBodies.length || table.tBodies[0].rows.length < 8) return;
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

  function start() { mountSearch(); enhanceTables(); }
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(start);  /* Material's instant navigation */
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
