/* kehu site: the 录入 forms (新客户登记, 跟进记录, 投诉登记, 修改).
   The fields are generated from the schemas at build time (kehu/site/forms.py); here the
   browser collects what was typed, checks it against the same schemas with the bundled Ajv
   (Draft 2020-12), words problems as `kehu check` does, writes the record's YAML as
   `kehu new` does, and opens the code host's own new-file / edit-file page. Nothing is sent
   anywhere by this script; every value is put into the page as text, never as HTML. */
(function () {
  "use strict";
  /* once per page, also where a site's own mkdocs.yml still lists it in extra_javascript
     beside the copy site/overrides/main.html adds to form pages */
  if (window.kehuFormsStarted) return;
  window.kehuFormsStarted = true;

  var config = JSON.parse((document.getElementById("__config") || {}).textContent || "{}");
  var base = (config.base || ".").replace(/\/$/, "") + "/";
  var ASSETS = "assets/kehu-forms/";
  var cache = {};

  function getJSON(path) {
    if (!cache[path]) {
      cache[path] = fetch(base + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return r.json();
      });
    }
    return cache[path];
  }

  var ajvLoaded = null;
  function loadAjv() {
    if (!ajvLoaded) {
      ajvLoaded = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = base + "assets/vendor/ajv2020.min.js";
        script.onload = function () { resolve(window.KehuAjv2020); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return ajvLoaded;
  }

  // --- phone numbers: kehu/phones.py --------------------------------------------------------

  function halfWidth(text) {
    return text.replace(/[\uFF10-\uFF19]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 48); })
      .replace(/＋/g, "+").replace(/－/g, "-").replace(/\u3000/g, " ").replace(/Ｘ/g, "X").replace(/ｘ/g, "x");
  }

  /* phone_key: one number however it was written (+86 138-0013-8000 = 13800138000) */
  function phoneKey(phone) {
    var text = String(phone).replace(/[\s\-()（）]/g, "").replace(/(转|ext\.?|x)\d+$/i, "");
    var prefixes = ["+86", "0086", "86"];
    for (var i = 0; i < prefixes.length; i++) {
      var prefix = prefixes[i], rest = text.slice(prefix.length);
      if (text.indexOf(prefix) === 0 && (/^1[3-9]\d{9}$/.test(rest) || /^0?[1-9]\d{8,10}$/.test(rest))) {
        text = (rest[0] === "0" || rest[0] === "1") ? rest : "0" + rest;
        break;
      }
    }
    return text;
  }

  /* mask_phone: 138****8000 */
  function maskPhone(phone) {
    var digits = phoneKey(phone).replace(/\D/g, "");
    return digits.length >= 7 ? digits.slice(0, 3) + "****" + digits.slice(-4) : "****";
  }

  /* How the form writes a number: a mobile as its 11 digits, a landline as 区号-号码 (转分机);
     phoneKey of the result is phoneKey of what was typed. Anything else stays as typed, for
     the schema's pattern to refuse with its message. */
  function normalisePhone(typed) {
    var text = halfWidth(typed).trim().replace(/\s+/g, " ");
    var key = phoneKey(text);
    if (/^1[3-9]\d{9}$/.test(key)) return key;
    var ext = /(?:转|ext\.?|x)\s*(\d{1,6})$/i.exec(text.replace(/[\s\-()（）]/g, ""));
    var m = /^(0(?:[12]\d|[3-9]\d{2}))(\d{7,8})$/.exec(key);
    if (m) return m[1] + "-" + m[2] + (ext ? "转" + ext[1] : "");
    return text;
  }

  // --- YAML: kehu/edit.py `scalar` and kehu/exchange/new.py `render` ---------------------------

  var PLAIN = /^(?:[^\s:#'"{}\[\],&*!|>%@`?\-][^:#\n]*|-[^\s:#\n][^:#\n]*)$/;
  /* what PyYAML (YAML 1.1) reads as something other than text when written plain */
  var IMPLICIT = [
    /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
    /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
    /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
    /^(?:<<|=|~|null|Null|NULL|)$/,
    /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/
  ];
  /* characters PyYAML accepts raw (its reader's printable set), less tab and line breaks */
  var RAW_OK = /^[\x20-\x7E\xA0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
  var BREAKS = /[\u2028\u2029]/;

  function doubleQuoted(text) {
    var out = "";
    for (var ch of text) {
      var code = ch.codePointAt(0);
      if (ch === "\\" || ch === "\"") out += "\\" + ch;
      else if (RAW_OK.test(ch) && !BREAKS.test(ch)) out += ch;
      else if (code < 0x100) out += "\\x" + ("0" + code.toString(16)).slice(-2);
      else if (code < 0x10000) out += "\\u" + ("000" + code.toString(16)).slice(-4);
      else out += "\\U" + ("0000000" + code.toString(16)).slice(-8);
    }
    return "\"" + out + "\"";
  }

  /* a YAML scalar that reads back as `text` */
  function scalar(text) {
    if (PLAIN.test(text) && !/\s$/.test(text) && RAW_OK.test(text) && !BREAKS.test(text) &&
        !IMPLICIT.some(function (re) { return re.test(text); })) return text;
    if (RAW_OK.test(text) && !BREAKS.test(text)) return "'" + text.replace(/'/g, "''") + "'";
    return doubleQuoted(text);  // line breaks, tabs, control characters: escaped
  }

  function yamlNumber(n) {
    var s = String(n);
    return /e/.test(s) && !/\./.test(s) ? s.replace("e", ".0e") : s;  // YAML 1.1 floats need a dot
  }

  function yamlValue(value, key, time) {
    if (typeof value === "boolean") return value ? "true" : "false";
    if (typeof value === "number") return yamlNumber(value);
    var text = String(value);
    if (time && /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/.test(text)) return text;  // a YAML date or time, as kehu new writes it
    if (key === "phones") return "'" + text.replace(/'/g, "''") + "'";
    return scalar(text);
  }

  var MODELINE_DEPTH = { customer: 3, visit: 4, complaint: 3 };

  function isEmpty(v) {
    return v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length) ||
      (typeof v === "object" && !Array.isArray(v) && !Object.keys(v).length);
  }

  /* the record's text, keys in the schema's order, with the editor modeline */
  function render(kind, data, order, times) {
    var lines = ["# yaml-language-server: $schema=" + "../".repeat(MODELINE_DEPTH[kind]) + "schemas/" + kind + ".schema.json"];
    var keys = order.concat(Object.keys(data).filter(function (k) { return order.indexOf(k) < 0; }));
    keys.forEach(function (key) {
      if (!(key in data) || isEmpty(data[key])) return;
      lines = lines.concat(renderEntry(key, data[key], "", key, times));
    });
    return lines.join("\n") + "\n";
  }

  function renderEntry(key, value, pad, path, times) {
    if (Array.isArray(value)) {
      return [pad + key + ":"].concat(value.map(function (v) { return pad + "  - " + yamlValue(v, key, false); }));
    }
    if (typeof value === "object") {
      var lines = [pad + key + ":"];
      Object.keys(value).forEach(function (k) {
        if (!isEmpty(value[k])) lines = lines.concat(renderEntry(k, value[k], pad + "  ", path + "." + k, times));
      });
      return lines;
    }
    return [pad + key + ": " + yamlValue(value, key, times.indexOf(path) >= 0)];
  }

  // --- messages: kehu/explain.py, for the keywords a form can get wrong ------------------------

  var TYPE_NAMES = { string: "文字", integer: "整数", number: "数字", boolean: "是/否（true/false）", array: "列表",
    object: "映射（字段: 值）", "null": "空" };
  var BOUNDS = { minimum: "不能小于", maximum: "不能大于", exclusiveMinimum: "必须大于", exclusiveMaximum: "必须小于",
    minItems: "至少要有几项：", maxItems: "最多几项：", minLength: "长度不能小于", maxLength: "长度不能超过" };

  function pathOf(pointer) {
    return pointer.split("/").slice(1).map(function (p) {
      p = p.replace(/~1/g, "/").replace(/~0/g, "~");
      return /^\d+$/.test(p) ? Number(p) : p;
    });
  }
  function fieldName(path) {
    var out = "";
    path.forEach(function (step) { out += typeof step === "number" ? "[" + step + "]" : (out ? "." + step : step); });
    return out || "(记录)";
  }
  function labelKey(path) { return path.map(function (s) { return typeof s === "number" ? "*" : s; }).join("."); }
  function show(value) { return typeof value === "string" ? value : JSON.stringify(value); }

  function explain(error, kind, forms) {
    var path = pathOf(error.instancePath), name = fieldName(path);
    var title = path.length ? forms.labels[kind][labelKey(path)] : null;
    var label = title ? name + "（" + title + "）" : name;
    var p = error.params, value = error.data, years = forms.years;
    switch (error.keyword) {
      case "required":
        var missing = p.missingProperty, sub = forms.labels[kind][labelKey(path.concat([missing]))];
        return { path: path.concat([missing]), text: (path.length ? name + " 中" : "") + "缺少必填字段 " + missing + (sub ? "（" + sub + "）" : "") };
      case "additionalProperties":
        return { path: path.concat([p.additionalProperty]), text: "未知字段 " + p.additionalProperty };
      case "type":
        var want = [].concat(p.type).map(function (t) { return TYPE_NAMES[t] || t; }).join("或");
        return { path: path, text: value === null ? label + " 是空的，应为" + want : label + " 应为" + want };
      case "enum":
        return { path: path, text: label + " 的值 " + show(value) + " 不在可选范围内：" + p.allowedValues.map(String).join("、") };
      case "pattern":
        var hint = forms.hints[p.pattern];
        return { path: path, text: label + " 格式不对：" + show(value) + (hint ? "；应为" + hint : "") };
      case "format":
        var what = { date: "日期 YYYY-MM-DD（" + years[0] + "–" + years[1] + " 年之间）",
          "kehu-datetime": "时间，如 2026-03-04 10:30（" + years[0] + "–" + years[1] + " 年之间）" }[p.format] || p.format;
        return { path: path, text: label + " 不是有效的" + what + "：" + show(value) };
      case "uniqueItems":
        return { path: path, text: label + " 有重复项" };
      default:
        if (BOUNDS[error.keyword]) return { path: path, text: label + " " + BOUNDS[error.keyword] + " " + p.limit };
        return { path: path, text: label + " 不符合要求：" + error.message };
    }
  }

  /* the problems of one record, as kehu check words them: a value of the wrong type is told
     once (not also as a wrong pattern), and no message twice */
  function problems(validate, data, kind, forms) {
    if (validate(data)) return [];
    var errors = validate.errors || [];
    var mistyped = {};
    errors.forEach(function (e) { if (e.keyword === "type") mistyped[e.instancePath] = true; });
    var seen = {}, out = [];
    errors.forEach(function (e) {
      if (e.keyword !== "type" && mistyped[e.instancePath]) return;
      var problem = explain(e, kind, forms);
      if (!seen[problem.text]) { seen[problem.text] = true; out.push(problem); }
    });
    return out;
  }

  // --- formats: kehu/validate.py FORMATS -------------------------------------------------------

  function validDay(y, m, d, years) {
    var day = new Date(Date.UTC(y, m - 1, d));
    return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d && y >= years[0] && y <= years[1];
  }
  function isDate(years) {
    return function (v) {
      var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
      return !!m && validDay(+m[1], +m[2], +m[3], years);
    };
  }
  function isDatetime(years) {
    return function (v) {
      var m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(v.trim());
      return !!m && validDay(+m[1], +m[2], +m[3], years) && (m[4] === undefined || (+m[4] < 24 && +m[5] < 60 && (m[6] === undefined || +m[6] < 60)));
    };
  }

  var validators = null;
  function compile(forms) {
    if (!validators) {
      validators = loadAjv().then(function (Ajv) {
        var ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
        ajv.addFormat("date", isDate(forms.years));
        ajv.addFormat("kehu-datetime", isDatetime(forms.years));
        ajv.addFormat("email", /^[^\s@,;<>()\[\]\\"]+@[^\s@,;<>()\[\]\\"]+\.[^\s@,;<>()\[\]\\"]+$/);
        Object.keys(forms.schemas).forEach(function (name) { ajv.addSchema(forms.schemas[name], name); });
        var out = {};
        ["customer", "visit", "complaint"].forEach(function (kind) { out[kind] = ajv.getSchema(kind + ".schema.json"); });
        return out;
      });
    }
    return validators;
  }

  // --- time: Asia/Shanghai whatever the phone's own zone -----------------------------------------

  function shanghaiNow() {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute;
  }

  // --- the form -------------------------------------------------------------------------------

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function wellFormed(text) { return text.toWellFormed ? text.toWellFormed() : text; }

  function fieldValue(field) {
    var widget = field.dataset.widget;
    if (widget === "chips" || widget === "bool") {
      var checked = field.querySelector("input:checked");
      if (!checked) return undefined;
      return widget === "bool" ? checked.value === "true" : checked.value;
    }
    if (widget === "phones") {
      return Array.prototype.map.call(field.querySelectorAll("input"), function (i) { return normalisePhone(wellFormed(i.value)); })
        .filter(function (v) { return v; });
    }
    var input = field.querySelector("input, select, textarea");
    var text = wellFormed(input.value);
    text = widget === "textarea" ? text.replace(/\r\n?/g, "\n").replace(/\s+$/, "").replace(/^\s*\n/, "") : text.trim();
    if (!text) return undefined;
    if (widget === "number" || widget === "integer") {
      text = halfWidth(text);
      return /^[-+]?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    }
    if (widget === "datetime") return text.replace("T", " ") + (text.length === 16 ? ":00" : "");
    if (widget === "tel") return normalisePhone(text);
    if (widget === "customer") return halfWidth(text).toUpperCase();
    if (widget === "list") return text.split(/[,，、;；\s]+/).filter(function (v) { return v; });
    return text;
  }

  function setPath(data, path, value) {
    var steps = path.split("."), target = data;
    steps.slice(0, -1).forEach(function (s) { target = target[s] = target[s] || {}; });
    target[steps[steps.length - 1]] = value;
  }
  function getPath(data, path) {
    return path.split(".").reduce(function (d, s) { return d && typeof d === "object" ? d[s] : undefined; }, data);
  }

  function collect(form) {
    var data = {};
    form.querySelectorAll(".kehu-field").forEach(function (field) {
      if (field.dataset.locked) return;
      var value = fieldValue(field);
      if (value !== undefined && !(Array.isArray(value) && !value.length)) setPath(data, field.dataset.path, value);
    });
    return data;
  }

  function fill(field, value) {
    var widget = field.dataset.widget;
    if (value === undefined || value === null) return;
    if (widget === "chips" || widget === "bool") {
      field.querySelectorAll("input").forEach(function (i) { i.checked = i.value === String(value); });
      return;
    }
    if (widget === "phones") return;
    var input = field.querySelector("input, select, textarea");
    if (widget === "datetime") value = String(value).replace(" ", "T").slice(0, 16);
    else if (widget === "list" && Array.isArray(value)) value = value.join("、");
    input.value = String(value);
  }

  function errorSlot(form, path) {
    var key = fieldName(path).replace(/\[\d+\]/g, "");
    /* a missing object (source) is told at its first field (source.channel) */
    return form.querySelector('[data-error-for="' + CSS.escape(key) + '"]') ||
      form.querySelector('[data-error-for^="' + CSS.escape(key + ".") + '"]');
  }

  function showProblems(form, list) {
    form.querySelectorAll(".kehu-error").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    form.querySelectorAll(".kehu-field--bad").forEach(function (f) { f.classList.remove("kehu-field--bad"); });
    var box = form.querySelector(".kehu-form__errors");
    box.textContent = "";
    box.hidden = !list.length;
    if (!list.length) return;
    box.appendChild(el("p", "", "请先改正 " + list.length + " 处（与 kehu check 的 K101 说法相同）："));
    var ul = el("ul");
    list.forEach(function (problem) {
      ul.appendChild(el("li", "", problem.text));
      var slot = errorSlot(form, problem.path);
      if (slot) {
        slot.hidden = false;
        slot.textContent = (slot.textContent ? slot.textContent + "；" : "") + problem.text;
        slot.closest(".kehu-field").classList.add("kehu-field--bad");
        var more = slot.closest("details");
        if (more) more.open = true;
      }
    });
    box.appendChild(ul);
    (form.querySelector(".kehu-field--bad") || box).scrollIntoView({ block: "center" });
  }

  function idYear(kind, data, forms) {
    var when = data[forms.date_fields[kind]];
    return typeof when === "string" && /^\d{4}-\d{2}/.test(when) ? when.slice(0, 7) : null;
  }

  function nextId(kind, year, forms) {
    var prefix = { customer: "C", visit: "V", complaint: "T" }[kind], width = kind === "visit" ? 6 : 4;
    var n = ((forms.next[kind] || {})[year] || 0) + 1;
    return prefix + year + "-" + String(n).padStart(width, "0");
  }

  function layoutPath(kind, id, month, forms) {
    var year = id.slice(1, 5);
    return "records/" + forms.folders[kind] + "/" + year + (kind === "visit" ? "/" + month : "") + "/" + id + ".yaml";
  }

  /* the code host's own pages; shapes from each host's documentation (README 录入) */
  function hostUrl(host, action, path, content) {
    var repo = host.url + "/" + host.repo, enc = encodeURIComponent, branch = host.branch.split("/").map(enc).join("/");
    var file = path.split("/").map(enc).join("/");
    if (action === "edit") {
      return repo + { github: "/edit/", gitlab: "/-/edit/", gitea: "/_edit/" }[host.kind] + branch + "/" + file;
    }
    if (host.kind === "github") return repo + "/new/" + branch + "?filename=" + enc(path) + "&value=" + enc(content);
    if (host.kind === "gitlab") return repo + "/-/new/" + branch + "?file_name=" + enc(path) + "&content=" + enc(content);
    return repo + "/_new/" + branch + "/?filename=" + enc(path) + "&value=" + enc(content);
  }

  var HOST_NAMES = { github: "GitHub", gitlab: "GitLab", gitea: "Gitea" };

  function shellQuote(text) { return "'" + String(text).replace(/'/g, "'\\''") + "'"; }

  /* the `kehu new` line that writes the same record (its own options; kehu picks the id) */
  var NEW_OPTIONS = {
    customer: [["name", "name"], ["phones", "phone"], ["source.channel", "channel"], ["grade", "grade"], ["stage", "stage"],
      ["registered_by", "registered-by"], ["district", "district"], ["community", "community"],
      ["source.referrer", "referrer"], ["registered_at", "registered-at"]],
    visit: [["customer", "customer"], ["staff", "staff"], ["type", "type"], ["summary", "summary"], ["at", "at"]],
    complaint: [["customer", "customer"], ["channel", "channel"], ["category", "category"], ["description", "description"],
      ["handler", "handler"], ["status", "status"], ["received_at", "received-at"]]
  };
  function commandLine(kind, data) {
    var words = ["kehu", "new", kind], used = {};
    NEW_OPTIONS[kind].forEach(function (pair) {
      var value = getPath(data, pair[0]);
      if (isEmpty(value)) return;
      used[pair[0]] = true;
      [].concat(value).forEach(function (v) { words.push("--" + pair[1], shellQuote(v)); });
    });
    return { line: words.join(" "), used: used };
  }
  function leaves(data, prefix, out) {
    Object.keys(data).forEach(function (k) {
      var v = data[k], path = prefix + k;
      if (v && typeof v === "object" && !Array.isArray(v)) leaves(v, path + ".", out); else out.push(path);
    });
    return out;
  }

  function copyButton(label, text) {
    var button = el("button", "md-button kehu-copy", label);
    button.type = "button";
    button.addEventListener("click", function () {
      var done = function () { button.textContent = "已复制"; setTimeout(function () { button.textContent = label; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, function () { select(text); });
      else select(text);
      function select(t) {
        var area = el("textarea");
        area.value = t;
        document.body.appendChild(area);
        area.select();
        try { document.execCommand("copy"); done(); } catch (e) { /* the text is on the page to copy by hand */ }
        area.remove();
      }
    });
    return button;
  }

  function codeBlock(text, cls) {
    var pre = el("pre", "kehu-yaml " + (cls || ""));
    pre.appendChild(el("code", "", text));
    return pre;
  }

  // --- 撞单: the masked numbers the customer pages show, never the numbers (README 录入) --------

  function collisions(phones, forms, own) {
    return getJSON(ASSETS + "phones.json").then(function (index) {
      var hits = [];
      phones.forEach(function (phone) {
        var key = index.exact ? phoneKey(phone) : maskPhone(phone);
        (index.phones[key] || []).forEach(function (id) { if (id !== own) hits.push({ phone: phone, key: key, id: id, exact: index.exact }); });
      });
      return hits;
    }, function () { return []; });
  }

  function customerEntry(id) {
    var m = /^C(\d{4})-\d{4,}$/.exec(id || "");
    if (!m) return Promise.resolve(null);
    return getJSON(ASSETS + "customers-" + m[1] + ".json").then(function (t) { return t[id] || null; }, function () { return null; });
  }

  function staffName(forms, id) {
    var s = forms.staff.filter(function (x) { return x.id === id; })[0];
    return s ? s.name : (id === "pool" ? "公海" : id);
  }

  function collisionNote(hits, forms) {
    var box = el("div", "admonition warning kehu-clash");
    box.appendChild(el("p", "admonition-title", "可能撞单"));
    return Promise.all(hits.map(function (h) { return customerEntry(h.id); })).then(function (entries) {
      hits.forEach(function (h, i) {
        var who = entries[i] ? "（客户经理 " + staffName(forms, entries[i].o) + "）" : "";
        var line = el("p", "", (h.exact ? "号码 " + h.phone + " 已属于 " : "号码 " + h.key + " 与已登记客户 ") + h.id + who +
          (h.exact ? "。" : " 的号码前三位、后四位相同。本站不公开完整号码，是否同一个号码要由 CI 的 K806 核对。"));
        var link = el("a", "", "看客户页");
        link.href = base + "customers/" + h.id + "/";
        line.appendChild(document.createTextNode(" "));
        line.appendChild(link);
        box.appendChild(line);
      });
      box.appendChild(el("p", "", "撞单按先登记者算（客户冲撞处理办法）。确认不是同一位客户再提交；CI 的 K806 是最终判断。"));
      return box;
    });
  }

  function hostSteps(host, id) {
    var name = HOST_NAMES[host.kind];
    return el("p", "", "打开 " + name + " 后：确认路径和内容，在页面下方选择“新建分支并发起合并请求”（分支名可写 kehu-" + id +
      "），提交，再点“创建合并请求 / pull request”。CI 会运行 kehu check 和 kehu review，客户经理或市场总监批准后合并。");
  }

  function resultNew(form, kind, record, forms) {
    var box = form.nextElementSibling;
    box.textContent = "";
    box.hidden = false;
    var month = idYear(kind, record, forms).slice(5, 7);
    var path = layoutPath(kind, record.id, month, forms);
    var yaml = render(kind, record, forms.order[kind], forms.times[kind]);
    box.appendChild(el("h2", "", "已生成 " + record.id));
    box.appendChild(el("p", "kehu-note", "编号 " + record.id + " 是本站生成时已知的下一个空号；若这之后已被别人占用，CI 的 K202 会指出，把编号加 1 即可。"));
    var ready = kind === "customer" ? collisions(record.phones || [], forms, null).then(function (hits) {
      return hits.length ? collisionNote(hits, forms).then(function (note) { box.appendChild(note); }) : null;
    }) : Promise.resolve();
    return ready.then(function () {
      var host = forms.code_host;
      if (host) {
        var go = el("a", "md-button md-button--primary kehu-go", "在 " + HOST_NAMES[host.kind] + " 上提交");
        go.href = hostUrl(host, "new", path, yaml);
        go.target = "_blank";
        go.rel = "noopener";
        box.appendChild(go);
        box.appendChild(hostSteps(host, record.id));
        if (host.kind === "gitlab") {
          box.appendChild(el("p", "kehu-note", "有的 GitLab 版本打开新建文件页时不会填入内容：那时点下面的“复制 YAML”，粘贴进去。"));
        }
      } else {
        box.appendChild(el("p", "", "本站没有配置代码托管（kehu.yaml 的 code_host）。复制下面的 YAML，保存为下面的文件并提交；或在记录仓库里运行下面的 kehu new 命令。"));
      }
      box.appendChild(el("p", "kehu-path", "文件：" + path));
      box.appendChild(copyButton("复制路径", path));
      box.appendChild(codeBlock(yaml, "kehu-yaml--record"));
      box.appendChild(copyButton("复制 YAML", yaml));
      var cmd = commandLine(kind, record);
      var left = leaves(record, "", []).filter(function (p) {
        return !cmd.used[p] && !cmd.used[p.split(".")[0]] && ["id", "owner"].indexOf(p) < 0 && !(kind === "customer" && p === "stage");
      });
      var cli = el("details", "kehu-cli");
      cli.open = !host;
      cli.appendChild(el("summary", "", "用命令行提交（kehu new）"));
      cli.appendChild(codeBlock(cmd.line, "kehu-yaml--cli"));
      cli.appendChild(copyButton("复制命令", cmd.line));
      cli.appendChild(el("p", "kehu-note", left.length ? "kehu new 没有这些字段的选项，写好文件后请补上：" + left.join("、") +
        "；或直接把上面的 YAML 存为上面的文件。kehu new 会自己取下一个空号，并在撞单时拒绝。" : "kehu new 会自己取下一个空号，并在撞单时拒绝。"));
      box.appendChild(cli);
      box.scrollIntoView({ block: "start" });
    });
  }

  // --- 修改: what changed, as the lines to put into the file on the host's edit page -----------

  function changedPaths(before, after, fields) {
    var out = [];
    fields.forEach(function (f) {
      if (f.dataset.locked) return;
      var path = f.dataset.path, a = getPath(before, path), b = getPath(after, path);
      if (f.dataset.widget === "phones") { if (b && b.length) out.push(path); return; }
      if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path);
    });
    return out;
  }

  function changeText(paths, after, forms) {
    var times = forms.times.customer, groups = {}, lines = [];
    paths.forEach(function (p) { var top = p.split(".")[0]; (groups[top] = groups[top] || []).push(p); });
    Object.keys(groups).forEach(function (top) {
      var nested = groups[top].filter(function (p) { return p !== top; });
      if (top === "phones") {
        lines.push("# 在 phones 列表末尾加上：", "phones:");
        getPath(after, top).forEach(function (v) { lines.push("  - " + yamlValue(v, "phones", false)); });
      } else if (!nested.length) {
        var value = getPath(after, top);
        lines = lines.concat(isEmpty(value) ? ["# 删除这一行：", "# " + top + ": …"] : renderEntry(top, value, "", top, times));
      } else {
        lines.push("# " + top + ": 下面（文件里已有 " + top + ": 就只改、加缩进的那几行）：", top + ":");
        nested.forEach(function (p) {
          var v = getPath(after, p), key = p.split(".")[1];
          lines = lines.concat(isEmpty(v) ? ["  # 删除这一行：" + key + ": …"] : renderEntry(key, v, "  ", p, times));
        });
      }
    });
    return lines.join("\n") + "\n";
  }

  function startEdit(form, forms) {
    var id = new URLSearchParams(location.search).get("id") || "";
    var who = form.querySelector(".kehu-form__who");
    return customerEntry(id).then(function (entry) {
      form.dataset.customer = id;
      if (!entry) {
        who.appendChild(el("p", "kehu-error", "本站没有客户 " + (id || "（未指定编号）") + "：编号不对，或是本站不显示的客户。"));
        form.querySelector(".kehu-submit").disabled = true;
        return null;
      }
      var head = el("p", "kehu-who");
      var link = el("a", "", id);
      link.href = base + "customers/" + id + "/";
      head.appendChild(link);
      head.appendChild(document.createTextNode(" " + (entry.n || "") + " · 客户经理 " + staffName(forms, entry.o) + " · 文件 " + entry.f));
      who.appendChild(head);
      if (entry.r) {
        who.appendChild(el("p", "kehu-note", "机密客户：本站只显示编号、客户经理和阶段，不能在这里修改。请在代码托管上直接编辑文件 " + entry.f + "。"));
        if (forms.code_host) {
          var go = el("a", "md-button", "在 " + HOST_NAMES[forms.code_host.kind] + " 上编辑");
          go.href = hostUrl(forms.code_host, "edit", entry.f);
          who.appendChild(go);
        }
        form.querySelectorAll(".kehu-field, .kehu-more, .kehu-submit").forEach(function (n) { n.hidden = true; });
        return null;
      }
      form.querySelectorAll(".kehu-field").forEach(function (field) {
        var path = field.dataset.path, top = path.split(".")[0];
        if (field.dataset.widget === "phones") {
          var known = (entry.d.phones || []).join("、");
          field.insertBefore(el("p", "kehu-note", "已登记：" + (known || "无") + "（本站打码显示）。下面只填新增的号码。"), field.querySelector(".kehu-phones"));
          return;
        }
        if (entry.x.indexOf(top) >= 0) {
          field.dataset.locked = "1";
          field.querySelectorAll("input, select, textarea, button").forEach(function (i) { i.disabled = true; });
          field.appendChild(el("p", "kehu-note", "本站不显示这一项的原值（含号码或详细地址），请在代码托管上直接改。"));
          return;
        }
        fill(field, getPath(entry.d, path));
      });
      return entry;
    });
  }

  function submitEdit(form, forms, validate, entry) {
    var fields = Array.prototype.slice.call(form.querySelectorAll(".kehu-field"));
    var before = {};
    fields.forEach(function (f) { var v = getPath(entry.d, f.dataset.path); if (v !== undefined) setPath(before, f.dataset.path, v); });
    var after = collect(form);
    var paths = changedPaths(before, after, fields);
    var box = form.nextElementSibling;
    if (!paths.length) {
      showProblems(form, []);
      box.hidden = false;
      box.textContent = "";
      box.appendChild(el("p", "", "没有改动。"));
      return Promise.resolve();
    }
    /* the whole record as it would read, checked; only problems in what was changed count
       (the phones the site shows are masked and would fail their pattern) */
    var merged = JSON.parse(JSON.stringify(entry.d));
    merged.id = form.dataset.customer;
    paths.forEach(function (p) {
      var v = getPath(after, p);
      if (p === "phones") merged.phones = (merged.phones || []).concat(v);
      else if (isEmpty(v)) { var steps = p.split("."), t = steps.length > 1 ? merged[steps[0]] : merged; if (t) delete t[steps[steps.length - 1]]; }
      else setPath(merged, p, v);
    });
    var list = problems(validate, merged, "customer", forms).filter(function (pr) {
      var key = labelKey(pr.path);
      return paths.some(function (p) { return key === p || key.indexOf(p + ".") === 0 || p.indexOf(key + ".") === 0; }) ||
        (pr.path.length === 1 && paths.some(function (p) { return p.split(".")[0] === pr.path[0] && pr.path[0] !== "phones"; }));
    });
    showProblems(form, list);
    if (list.length) return Promise.resolve();
    box.textContent = "";
    box.hidden = false;
    var text = changeText(paths, after, forms);
    box.appendChild(el("h2", "", "修改 " + form.dataset.customer));
    var ready = after.phones ? collisions(after.phones, forms, form.dataset.customer).then(function (hits) {
      return hits.length ? collisionNote(hits, forms).then(function (n) { box.appendChild(n); }) : null;
    }) : Promise.resolve();
    return ready.then(function () {
      box.appendChild(el("p", "", "代码托管的编辑页不能预先填入内容：打开文件 " + entry.f + " 后，把下面这几行改进去（已有的字段改成新值，没有的加上），" +
        "再选择“新建分支并发起合并请求”提交。"));
      box.appendChild(codeBlock(text, "kehu-yaml--change"));
      box.appendChild(copyButton("复制这几行", text));
      if (forms.code_host) {
        var go = el("a", "md-button md-button--primary kehu-go", "在 " + HOST_NAMES[forms.code_host.kind] + " 上编辑");
        go.href = hostUrl(forms.code_host, "edit", entry.f);
        go.target = "_blank";
        go.rel = "noopener";
        box.appendChild(go);
      } else {
        box.appendChild(el("p", "kehu-note", "本站没有配置代码托管：在记录仓库里打开 " + entry.f + " 照此修改，提交到新分支并发起合并请求。"));
      }
      box.scrollIntoView({ block: "start" });
    });
  }

  // --- wiring -------------------------------------------------------------------------------

  function lookupCustomer(field, forms) {
    var input = field.querySelector("input");
    var note = field.querySelector(".kehu-found") || el("p", "kehu-found");
    field.insertBefore(note, field.querySelector(".kehu-error"));
    function update() {
      var id = halfWidth(input.value.trim()).toUpperCase();
      note.textContent = "";
      if (!/^C\d{4}-\d{4,}$/.test(id)) return;
      customerEntry(id).then(function (entry) {
        if (halfWidth(input.value.trim()).toUpperCase() !== id) return;
        note.textContent = entry ? (entry.n || "（机密客户）") + " · 客户经理 " + staffName(forms, entry.o) + " · " + (entry.s || "")
          : "本站没有这位客户（编号不对，或本站不显示）；CI 的 K201 会核对。";
      });
    }
    input.addEventListener("input", update);
    update();
  }

  function wirePhones(field, form, forms) {
    var list = field.querySelector(".kehu-phones");
    var hint = el("p", "kehu-found");
    field.insertBefore(hint, field.querySelector(".kehu-error"));
    function watch(input) {
      input.addEventListener("blur", function () { if (input.value.trim()) input.value = normalisePhone(input.value); });
      input.addEventListener("input", function (event) {
        if (event.isComposing) return;
        var key = phoneKey(halfWidth(input.value));
        hint.textContent = "";
        if (!/^(1[3-9]\d{9}|0\d{9,11})$/.test(key)) return;
        collisions([normalisePhone(input.value)], forms, form.dataset.customer || null).then(function (hits) {
          if (hits.length) hint.textContent = "可能撞单：" + hits.map(function (h) { return h.id; }).join("、") + "（提交前会再提示）";
        });
      });
    }
    field.querySelectorAll("input").forEach(watch);
    field.querySelector(".kehu-more-phone").addEventListener("click", function () {
      var input = el("input");
      input.type = "tel";
      input.inputMode = "tel";
      input.autocomplete = "off";
      input.name = field.dataset.path;
      input.setAttribute("aria-label", "另一个号码");
      list.appendChild(input);
      watch(input);
      input.focus();
    });
  }

  function applyDefaults(form, forms) {
    var me = localStorage.getItem("kehu.me") || "";
    var params = new URLSearchParams(location.search);
    form.querySelectorAll(".kehu-field").forEach(function (field) {
      var d = field.dataset.default, path = field.dataset.path;
      if (d === "now") fill(field, shanghaiNow().replace("T", " "));
      else if (d === "me") { if (forms.staff.some(function (s) { return s.id === me && s.active; })) fill(field, me); }
      else if (d !== undefined) fill(field, d);
      if (params.get(path)) fill(field, params.get(path));
      if (field.dataset.widget === "staff" && d === "me") {
        field.querySelector("select").addEventListener("change", function (e) { if (e.target.value) localStorage.setItem("kehu.me", e.target.value); });
      }
    });
  }

  function wireChips(form) {
    /* tapping the chosen chip of an optional field again clears it */
    form.querySelectorAll(".kehu-field:not([data-required]) .kehu-chip input").forEach(function (input) {
      var was = false;
      input.addEventListener("pointerdown", function () { was = input.checked; });
      input.addEventListener("click", function () { if (was) { input.checked = false; was = false; } });
    });
  }

  function mount(form) {
    if (form.dataset.ready) return;
    form.dataset.ready = "1";
    var kind = form.dataset.kind, editing = form.dataset.mode === "edit";
    getJSON(ASSETS + "forms.json").then(function (forms) {
      window.kehuForms = { forms: forms, render: render, scalar: scalar, phoneKey: phoneKey, maskPhone: maskPhone,
        normalisePhone: normalisePhone, hostUrl: hostUrl, problems: problems, compile: compile };
      var entry = editing ? startEdit(form, forms) : Promise.resolve(null);
      if (!editing) applyDefaults(form, forms);
      wireChips(form);
      form.querySelectorAll('.kehu-field[data-widget="customer"]').forEach(function (f) { lookupCustomer(f, forms); });
      form.querySelectorAll('.kehu-field[data-widget="phones"]').forEach(function (f) { wirePhones(f, form, forms); });
      compile(forms);  // start loading the validator while the person types
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var button = form.querySelector(".kehu-submit");
        button.disabled = true;
        Promise.all([compile(forms), entry]).then(function (both) {
          var validate = both[0][kind];
          if (editing) return both[1] && submitEdit(form, forms, validate, both[1]);
          var data = collect(form);
          if (kind === "customer" && data.registered_by) data.owner = data.registered_by;
          var month = idYear(kind, data, forms);
          var record = { id: nextId(kind, month ? month.slice(0, 4) : "0000", forms) };
          Object.keys(data).forEach(function (k) { record[k] = data[k]; });
          var list = problems(validate, record, kind, forms);
          window.kehuForms.checked = record;  // what was checked, for the browser tests
          showProblems(form, list);
          form.nextElementSibling.hidden = true;
          if (!list.length) return resultNew(form, kind, record, forms);
        }).catch(function (error) {
          showProblems(form, [{ path: [], text: "表单出错，未生成：" + error.message }]);
        }).then(function () { button.disabled = false; form.dataset.done = String(Number(form.dataset.done || 0) + 1); });
      });
      form.dataset.loaded = "1";
    });
  }

  function start() { document.querySelectorAll("form.kehu-form").forEach(mount); }
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(start);  /* Material's instant navigation */
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
