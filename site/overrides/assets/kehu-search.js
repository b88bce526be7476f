/* kehu site search (SPEC §6): customers by name or one character of it, 小区, pinyin
   (wangfang), initials (wf), id (C2025-0014, 0014) and manager; colleagues; rules.
   The index is split into shards under assets/search/ (the format is described in
   tooling/kehu/site/search.py): the first search fetches meta.json, then each query fetches
   only the shards that can hold its matches. No network beyond the site itself; every
   record value is inserted as text (textContent), never as HTML. */
(function () {
  "use strict";
  var FIRST = 20;          /* customers shown at first; the rest behind "还有 N 条" */
  var MORE = 100;          /* shown per press of that button */
  var BUDGET = 600000;     /* bytes of shards one query word may fetch (the goal: under 1 MB per search) */
  var NONE = 99;
  var NON_ASCII = /[^\x00-\x7f]/, LETTERS = /^[a-z]+$/, DIGITS = /^\d+$/;
  var ID = /^c?\d{4}-(\d*)$/, ID_START = /^c\d{1,4}$/;

  var config = {};
  try { config = JSON.parse((document.getElementById("__config") || {}).textContent || "{}"); } catch (e) { config = {}; }
  /* absolute, so that it stays right after Material's instant navigation changes the page */
  var root = new URL((config.base || ".").replace(/\/?$/, "/"), location.href).href;
  var folder = root + "assets/search/";
  var meta = null, shards = {};

  function getJson(url, options) {
    return fetch(url, options).then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + url);
      return response.json();
    });
  }

  function lower(text) { return String(text || "").toLowerCase(); }
  function words(text) { return text ? text.split(" ") : []; }

  function loadMeta() {
    if (!meta) {
      meta = getJson(folder + "meta.json", {cache: "no-cache"}).then(prepare);
      meta.catch(function () { meta = null; });
    }
    return meta;
  }

  function prepare(m) {
    m.owners = m.owners.map(function (o, at) {
      return {at: at, name: o[0], id: o[1], url: o[2], detail: o[3], count: o[4], file: o[5],
              spelled: words(o[6]), exact: words(o[7]), text: lower(o[0] + " " + o[1] + " " + o[3])};
    });
    m.communities = m.communities.map(function (c) { return {name: c[0], lower: lower(c[0]), count: c[1], file: c[2]}; });
    m.entries = m.entries.map(function (e) {
      return {title: e[0], url: e[1], kind: e[2], words: lower(e[0] + " " + e[3]), spelled: words(e[4]), detail: e[5]};
    });
    m.facets = [m.stages, m.grades, m.districts].map(function (table) { return table.map(lower); });
    return m;
  }

  function hex(key) {
    var bytes = new TextEncoder().encode(key), out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }

  function shard(file, m) {
    if (!shards[file]) {
      shards[file] = getJson(folder + file + ".json?v=" + m.v);
      shards[file].catch(function () { delete shards[file]; });
    }
    return shards[file];
  }

  /* --- what one query word can match, and which shards hold every customer it matches --- */

  function analyse(text, m) {
    var t = {text: text, chinese: NON_ASCII.test(text), letters: LETTERS.test(text), id: null,
             facet: m.facets.some(function (table) { return table.indexOf(text) > 0; }),
             owners: [], communities: [], files: [], rows: 0, fetchable: false, dropped: 0};
    var id = ID.exec(text);
    if (DIGITS.test(text)) t.id = {number: text};
    else if (id) t.id = {full: text.charAt(0) === "c" ? text : "c" + text, number: id[1]};
    else if (ID_START.test(text)) t.id = {full: text, number: ""};
    function need(file, rows) { t.files.push(file); t.rows += rows; }
    if (t.chinese) {
      var best = null;
      Array.from(text).forEach(function (ch) {
        if (!NON_ASCII.test(ch)) return;
        var rows = m.keys["c" + ch] || 0;
        if (!best || rows < best.rows) best = {key: "c" + ch, rows: rows};
      });
      if (best && best.rows) need(hex(best.key), best.rows);
      m.communities.forEach(function (c, at) { if (at && c.lower.indexOf(text) >= 0) t.communities.push(at); });
      t.fetchable = true;
    } else if (t.letters && text.length >= 2) {
      if (m.keys["p" + text.slice(0, 2)]) need(hex("p" + text.slice(0, 2)), m.keys["p" + text.slice(0, 2)]);
      t.fetchable = true;
    } else if (t.id && t.id.number.length >= 2) {
      if (m.keys["n" + t.id.number.slice(0, 2)]) need(hex("n" + t.id.number.slice(0, 2)), m.keys["n" + t.id.number.slice(0, 2)]);
      t.fetchable = true;
    }
    m.owners.forEach(function (o) { if (o.count && o.exact.indexOf(text) >= 0) t.owners.push(o.at); });
    if (t.owners.length) t.fetchable = true;
    /* a stage, grade or district matches thousands of customers: it narrows other words */
    if (t.facet) t.fetchable = false;
    /* 小区 and colleagues' customers, smallest first, while the budget lasts */
    var extra = t.communities.map(function (at) { return m.communities[at]; })
      .concat(t.owners.map(function (at) { return m.owners[at]; }))
      .sort(function (a, b) { return a.count - b.count; });
    extra.forEach(function (x) {
      if ((t.rows + x.count) * m.row <= BUDGET) need(x.file, x.count);
      else t.dropped += x.count;
    });
    return t;
  }

  function rowScore(row, t, m) {
    var q = t.text, best = NONE;
    if (t.chinese && row[1] !== null) {
      var name = lower(row[1]), at = name.indexOf(q);
      if (at === 0) best = name.length === q.length ? 0 : 2;
      else if (at > 0) best = 3;
    }
    if (t.id) {
      var id = lower(row[0]), number = id.slice(id.indexOf("-") + 1);
      var hit = t.id.full ? id.indexOf(t.id.full) === 0 : number.indexOf(t.id.number) === 0;
      if (hit) best = Math.min(best, (t.id.full ? id === t.id.full : number === t.id.number) ? 0 : 1);
    }
    if (t.letters && row[7]) {
      words(row[7]).forEach(function (s) {
        if (s.indexOf(q) === 0) best = Math.min(best, s.length === q.length ? 1 : 2);
      });
    }
    if (best < NONE) return best;
    if (t.chinese && row[3] && m.communities[row[3]].lower.indexOf(q) >= 0) return 4;
    if (t.owners.indexOf(row[2]) >= 0) return 5;
    if (t.facet && (m.facets[0][row[5]] === q || m.facets[1][row[6]] === q || m.facets[2][row[4]] === q)) return 6;
    return NONE;
  }

  function ownerScore(o, t) {
    var q = t.text;
    if (o.exact.indexOf(q) >= 0) return 0;
    if (lower(o.name).indexOf(q) === 0) return 1;
    if (o.spelled.some(function (s) { return s.indexOf(q) === 0; })) return 2;
    return o.text.indexOf(q) >= 0 ? 3 : NONE;
  }

  function entryScore(e, t) {
    var q = t.text;
    if (lower(e.title).indexOf(q) === 0) return 0;
    if (e.words.indexOf(q) >= 0) return 1;
    return e.spelled.some(function (s) { return s.indexOf(q) === 0; }) ? 2 : NONE;
  }

  function ranked(items, terms, score) {
    var out = [];
    items.forEach(function (item) {
      var total = 0;
      for (var i = 0; i < terms.length; i++) {
        var s = score(item, terms[i]);
        if (s === NONE) return;
        total += s;
      }
      out.push({item: item, score: total});
    });
    return out.sort(function (a, b) { return a.score - b.score; }).map(function (x) { return x.item; });
  }

  function search(query, m) {
    var terms = lower(query).split(/\s+/).filter(Boolean).map(function (w) { return analyse(w, m); });
    var result = {query: query, terms: terms, customers: [], communities: [], note: ""};
    result.staff = ranked(m.owners.filter(function (o) { return o.url; }), terms, ownerScore);
    result.entries = ranked(m.entries, terms, entryScore);
    if (terms.length === 1) {
      result.communities = terms[0].communities.map(function (at) { return m.communities[at]; })
        .sort(function (a, b) { return b.count - a.count; });
    }
    var driver = terms.filter(function (t) { return t.fetchable; })
      .sort(function (a, b) { return (a.dropped > 0) - (b.dropped > 0) || a.rows - b.rows; })[0];
    if (!driver) {
      var facet = terms.filter(function (t) { return t.facet; })[0];
      result.note = facet ? "「" + facet.text + "」是阶段、分级或地区：请和姓名、小区或客户经理一起搜索，例如「刘洋 " + facet.text + "」。"
        : "搜索客户请再多输入一点：两个以上字母或数字，或一个汉字。";
      return Promise.resolve(result);
    }
    if (driver.dropped) {
      result.note = "另有约 " + driver.dropped.toLocaleString("zh-CN") + " 位客户在名字含「" + driver.text +
        "」的小区或客户经理名下，未全部列出：请选择下面的小区，或多输入一个词。";
    }
    return Promise.all(driver.files.map(function (file) { return shard(file, m); })).then(function (lists) {
      var seen = {}, rows = [];
      lists.forEach(function (list) {
        list.forEach(function (row) {
          var key = JSON.stringify(row);
          if (!seen[key]) { seen[key] = true; rows.push(row); }
        });
      });
      var hits = [];
      rows.forEach(function (row) {
        var total = 0;
        for (var i = 0; i < terms.length; i++) {
          var s = rowScore(row, terms[i], m);
          if (s === NONE) return;
          total += s;
        }
        hits.push({row: row, score: total});
      });
      hits.sort(function (a, b) { return a.score - b.score || (a.row[0] < b.row[0] ? 1 : a.row[0] > b.row[0] ? -1 : 0); });
      result.customers = hits.map(function (h) { return h.row; });
      return result;
    });
  }

  /* --- the results, built from elements and text only --- */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function count(n) { return n.toLocaleString("zh-CN"); }

  function hit(url, title, facts, kind) {
    var a = el("a", "kehu-search__hit");
    a.href = root + url;
    var head = el("span", "kehu-search__title");
    if (kind) { head.appendChild(el("span", "kehu-search__kind", kind)); head.appendChild(document.createTextNode(" ")); }
    title.forEach(function (part) { head.appendChild(typeof part === "string" ? document.createTextNode(part) : part); });
    a.appendChild(head);
    if (facts) a.appendChild(el("span", "kehu-search__facts", facts));
    var li = el("li");
    li.appendChild(a);
    return li;
  }

  function customerHit(row, m) {
    var owner = m.owners[row[2]], secret = row[1] === null;
    var facts = [["客户经理", owner ? owner.name : ""], ["小区", m.communities[row[3]].name],
                 ["阶段", m.stages[row[5]]], ["分级", m.grades[row[6]]]]
      .filter(function (f) { return f[1]; }).map(function (f) { return f[0] + " " + f[1]; }).join(" · ");
    return hit("customers/" + encodeURIComponent(row[0]) + "/", [el("span", "kehu-search__id", row[0]), " ", secret ? "（机密）" : row[1]],
               facts, secret ? "机密" : "");
  }

  var groupCount = 0;

  function group(panel, label, total) {
    var id = "kehu-search-group-" + (++groupCount);
    var box = el("div", "kehu-search__group");
    box.setAttribute("role", "group");
    box.setAttribute("aria-labelledby", id);
    var heading = el("p", "kehu-search__heading", label + (total !== undefined ? " · " + count(total) : ""));
    heading.id = id;
    box.appendChild(heading);
    var list = el("ul", "kehu-search__list");
    box.appendChild(list);
    panel.appendChild(box);
    return {box: box, list: list};
  }

  /* a list of `items` showing `first` of them, the rest behind a "还有 N 条" button */
  function paged(g, items, first, make) {
    var shown = 0, more = null;
    function show(n) {
      var start = shown, added = null;
      items.slice(shown, shown + n).forEach(function (item) {
        var node = make(item);
        if (!added) added = node;
        g.list.appendChild(node);
      });
      shown = Math.min(items.length, shown + n);
      if (more) { more.remove(); more = null; }
      if (shown < items.length) {
        more = el("button", "kehu-search__more", "还有 " + count(items.length - shown) + " 条 · 显示更多");
        more.type = "button";
        more.addEventListener("click", function () {
          var next = show(MORE);
          var link = next && next.querySelector("a, button");
          if (link) link.focus();
        });
        g.box.appendChild(more);
      }
      return start < shown ? added : null;
    }
    show(first);
  }

  function render(panel, status, result, m, run) {
    panel.textContent = "";
    groupCount = 0;
    var total = result.staff.length + result.entries.length + result.customers.length;
    var summary = [];
    if (result.staff.length) {
      var g = group(panel, "员工", result.staff.length);
      paged(g, result.staff, 5, function (o) {
        var detail = [o.detail, o.count ? "名下 " + count(o.count) + " 位客户" : ""].filter(Boolean).join(" · ");
        return hit(o.url, [o.name], detail);
      });
      summary.push("员工 " + count(result.staff.length));
    }
    var kinds = {};
    result.entries.forEach(function (e) { (kinds[e.kind] = kinds[e.kind] || []).push(e); });
    Object.keys(kinds).forEach(function (kind) {
      var g = group(panel, kind, kinds[kind].length);
      paged(g, kinds[kind], 5, function (e) { return hit(e.url, [e.title], e.detail); });
      summary.push(kind + " " + count(kinds[kind].length));
    });
    if (result.communities.length) {
      var c = group(panel, "小区", result.communities.length);
      paged(c, result.communities, 3, function (community) {
        var button = el("button", "kehu-search__pick");
        button.type = "button";
        button.appendChild(el("span", "kehu-search__title", community.name));
        button.appendChild(el("span", "kehu-search__facts", count(community.count) + " 位客户 · 只看这个小区"));
        button.addEventListener("click", function () { run(community.name); document.getElementById("kehu-search-q").focus(); });
        var li = el("li");
        li.appendChild(button);
        return li;
      });
    }
    if (result.customers.length) {
      var k = group(panel, "客户", result.customers.length);
      paged(k, result.customers, FIRST, function (row) { return customerHit(row, m); });
      summary.push("客户 " + count(result.customers.length));
    }
    if (result.note) panel.appendChild(el("p", "kehu-search__note", result.note));
    if (!total && !result.communities.length) panel.insertBefore(el("p", "kehu-search__note", "没有找到「" + result.query + "」。"), panel.firstChild);
    status.textContent = total ? "找到 " + summary.join("，") : "没有找到「" + result.query + "」";
    panel.dataset.query = result.query;  /* what the list shows, for tests and the bench */
    panel.hidden = false;
  }

  /* --- the box --- */

  function mount() {
    var wrap = document.querySelector(".kehu-search");
    if (!wrap || wrap.dataset.ready) return wrap;
    wrap.dataset.ready = "1";
    var form = wrap.querySelector(".kehu-search__form"), input = wrap.querySelector(".kehu-search__input");
    var toggle = wrap.querySelector(".kehu-search__toggle"), closer = wrap.querySelector(".kehu-search__close");
    var panel = wrap.querySelector(".kehu-search__panel"), status = wrap.querySelector("[role=status]");
    var latest = 0;

    function hide() { panel.hidden = true; }
    function open() {
      wrap.classList.add("kehu-search--open");
      toggle.setAttribute("aria-expanded", "true");
    }
    function fold() {
      hide();
      wrap.classList.remove("kehu-search--open");
      toggle.setAttribute("aria-expanded", "false");
    }
    function run(value) {
      if (value !== undefined) input.value = value;
      var query = input.value.trim(), mine = ++latest;
      if (!query) { hide(); status.textContent = ""; return Promise.resolve(); }
      return loadMeta().then(function (m) {
        return search(query, m).then(function (result) {
          if (mine === latest) render(panel, status, result, m, run);
        });
      }).catch(function () {
        if (mine !== latest) return;
        panel.textContent = "";
        panel.appendChild(el("p", "kehu-search__note", "搜索索引载入失败，请刷新页面再试。"));
        panel.hidden = false;
      });
    }
    wrap.kehuRun = run;

    input.addEventListener("input", function (event) { if (!event.isComposing) run(); });
    input.addEventListener("compositionend", function () { run(); });
    input.addEventListener("focus", function () { loadMeta(); if (input.value.trim() && panel.childNodes.length) panel.hidden = false; });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = panel.hidden ? null : panel.querySelector("a.kehu-search__hit");
      if (first) first.click(); else run();
    });
    toggle.addEventListener("click", function () { open(); input.focus(); });
    closer.addEventListener("click", function () { fold(); toggle.focus(); });
    wrap.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {  /* first the results, then (on a phone) the box */
        event.preventDefault();
        if (!panel.hidden) { hide(); input.focus(); } else { fold(); (toggle.offsetParent ? toggle : input).focus(); }
        return;
      }
      if (["ArrowDown", "ArrowUp", "Home", "End"].indexOf(event.key) < 0 || panel.hidden) return;
      var items = Array.prototype.slice.call(panel.querySelectorAll("a[href], button"));
      if (!items.length) return;
      if (event.target === input) {
        if (event.key === "ArrowDown") { items[0].focus(); event.preventDefault(); }
        return;
      }
      var at = items.indexOf(document.activeElement);
      if (at < 0) return;
      event.preventDefault();
      if (event.key === "ArrowDown") items[Math.min(at + 1, items.length - 1)].focus();
      else if (event.key === "ArrowUp") (at ? items[at - 1] : input).focus();
      else if (event.key === "Home") items[0].focus();
      else items[items.length - 1].focus();
    });
    wrap.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !wrap.contains(event.relatedTarget)) hide();
    });
    /* the path as dispatched: a "more" button removes itself while its click bubbles */
    document.addEventListener("click", function (event) { if (event.composedPath().indexOf(wrap) < 0) hide(); });
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      event.preventDefault();
      open();
      input.focus();
    });
    var query = new URLSearchParams(location.search).get("q");
    if (query) { open(); run(query); }
    return wrap;
  }

  function start() {
    var wrap = mount();
    /* after Material's instant navigation to another page: close the results */
    if (wrap && wrap.dataset.ready === "2") {
      wrap.querySelector(".kehu-search__panel").hidden = true;
      wrap.classList.remove("kehu-search--open");
    }
    if (wrap) wrap.dataset.ready = "2";
  }
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(start);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
