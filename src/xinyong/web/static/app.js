/* 信用评价管理系统 — single-page UI (京规自发〔2024〕122号).
 * Plain ES2017, no dependencies, no network access except the same-origin JSON API under /api/v1/.
 * Routes (hash):
 *   #/overview[?industry=CODE]
 *   #/subjects[?q=&grade=&industry=&page=N]
 *   #/subject/CODE[?industry=CODE&as_of=YYYY-MM-DD]
 *   #/enter[?subject=CODE]
 *   other domains' views, added with XY.addView: #/cases, #/case/ID (cases/), #/supervision (supervision/)
 * Every DOM node that tests rely on is static in index.html (data-testid); this script only fills it.
 * Each view carries data-state="idle|loading|ready|error" so browser tests can wait on it.
 */
(function () {
  "use strict";

  var API = "/api/v1";
  var TOKEN_KEY = "xinyong.apiToken";
  var PAGE_SIZE = 20;
  var REQUEST_TIMEOUT_MS = 30000;

  // Grades, levels, names, bands and the measures' validity come from GET /api/v1/framework (parameters.yaml):
  // nothing of the framework is written here. Filled once by loadFramework(); empty until then.
  var fw = { data: null, grades: [], levels: [], gradeName: {}, levelGrade: {} };
  var KIND = { organization: "组织", org: "组织", organisation: "组织", individual: "个人", person: "个人" };
  var FORM_FIELDS = ["subject", "item", "act_date", "department", "source_ref", "note"];
  var COMPONENTS = ["general_bonus", "general_deduction", "industry_bonus", "industry_deduction"];
  var RECORD_STATUS = { withdrawn: "已撤回", superseded: "已更正", duplicate: "重复" };
  // 信息类别 (122号 第六条) and 行政类别 (第七条): names of the codes of reference/collection.yaml; a code this map
  // does not know is shown as it is
  // Information classes (122号 Art.6) and categories (Art.7) come from GET /api/v1/collection (collection.yaml).
  var INFO_CLASS = {};
  var ADMIN_CATEGORY = {};
  // pages of other domains (subject_lists.js, standards_comments.js) hook into the views through window.XY
  var hooks = { subject: [], standard: [] };

  /* ------------------------------------------------------------------ helpers */

  function byId(id) {
    var el = document.getElementById(id);
    if (!el) { throw new Error("页面缺少元素 #" + id); }
    return el;
  }

  /** Create an element. attrs: plain attributes, plus `text`, `class`, `dataset`, `on<event>`. */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    var a = attrs || {};
    Object.keys(a).forEach(function (k) {
      var v = a[k];
      if (v === null || v === undefined || v === false) { return; }
      if (k === "text") { el.textContent = String(v); }
      else if (k === "class") { el.className = v; }
      else if (k === "dataset") { Object.keys(v).forEach(function (d) { el.dataset[d] = String(v[d]); }); }
      else if (k.slice(0, 2) === "on" && typeof v === "function") { el.addEventListener(k.slice(2), v); }
      else { el.setAttribute(k, v === true ? "" : String(v)); }
    });
    for (var i = 2; i < arguments.length; i++) { append(el, arguments[i]); }
    return el;
  }

  function append(parent, child) {
    if (child === null || child === undefined || child === false) { return; }
    if (Array.isArray(child)) { child.forEach(function (c) { append(parent, c); }); return; }
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }

  /** SVG elements: the namespace is taken from the static <svg> in index.html (parsed by the HTML parser). */
  function s(tag, attrs, text) {
    var el = document.createElementNS(byId("dist-svg").namespaceURI, tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, String(attrs[k])); });
    if (text !== undefined && text !== null) { el.textContent = String(text); }
    return el;
  }

  function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } return el; }

  function isNum(v) { return typeof v === "number" && isFinite(v); }

  function fmtNum(v) {
    if (v === null || v === undefined || v === "") { return "—"; }
    var n = Number(v);
    if (!isFinite(n)) { return String(v); }
    if (Number.isInteger(n)) { return String(n); }
    return String(Math.round(n * 100) / 100);
  }

  /** Signed display: bonuses as "+n", deductions as "−n", whatever sign the API used. */
  function fmtSigned(v, polarity) {
    if (v === null || v === undefined || v === "") { return "—"; }
    var n = Number(v);
    if (!isFinite(n)) { return String(v); }
    if (n === 0) { return "0"; }
    if (polarity === "good") { return "+" + fmtNum(Math.abs(n)); }
    if (polarity === "bad") { return "−" + fmtNum(Math.abs(n)); }
    return n > 0 ? "+" + fmtNum(n) : "−" + fmtNum(-n);
  }

  function pct(n, total) {
    if (!total) { return "—"; }
    return (Math.round((n / total) * 1000) / 10).toFixed(1) + "%";
  }

  function pad2(n) { return (n < 10 ? "0" : "") + n; }
  /** Today in local (Beijing) time as YYYY-MM-DD; toISOString() would give the UTC date. */
  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + pad2(d.getMonth() + 1) + "-" + pad2(d.getDate());
  }

  /** The grade class of a level or grade, as the framework says (a level maps to its grade; a grade to itself). */
  function gradeOf(level) {
    if (!level) { return ""; }
    var k = String(level);
    if (Object.prototype.hasOwnProperty.call(fw.levelGrade, k)) { return fw.levelGrade[k]; }
    return fw.grades.indexOf(k) >= 0 ? k : "";
  }

  /** "[min, below)" or "[min, max]" for the top band (122号 第十四条: 以上 inclusive, 以下 exclusive). */
  function bandText(b) {
    var top = fw.data && fw.data.score_range ? fw.data.score_range.max : null;
    return b.below === null || b.below === undefined ? "[" + b.min + ", " + fmtNum(top) + "]" : "[" + b.min + ", " + b.below + ")";
  }

  function badge(text, grade, testid) {
    return h("span", {
      class: "badge" + (grade ? " badge-" + grade : " badge-none"),
      "data-grade": grade || "",
      "data-testid": testid || null,
      text: text || "—"
    });
  }

  function setBadge(el, value, grade) {
    el.textContent = value || "—";
    el.className = el.className.replace(/\bbadge-(A|B|C|D|none)\b/g, "").replace(/\s+/g, " ").trim();
    el.classList.add(grade ? "badge-" + grade : "badge-none");
    el.setAttribute("data-grade", grade || "");
    el.setAttribute("data-value", value || "");
  }

  function setFused(el, fused) {
    var known = fused === true || fused === false;
    el.textContent = !known ? "—" : (fused ? "熔断" : "未熔断");
    el.className = "tag" + (fused ? " tag-fused" : (known ? " tag-ok" : ""));
    el.setAttribute("data-fused", known ? String(fused) : "");
    el.setAttribute("data-value", known ? String(fused) : "");
  }

  /** Codes of individuals come masked (110105********002X) to callers without personal-data rights. */
  function isMasked(code) { return /\*/.test(String(code || "")); }

  function kindName(kind) { return KIND[kind] || (kind ? String(kind) : "—"); }

  function nationalName(g) {
    if (!g || g === "none") { return "无"; }
    return fw.gradeName[g] ? g + "(" + fw.gradeName[g] + ")" : String(g);
  }

  function setState(view, state) { byId("view-" + view).setAttribute("data-state", state); }

  /* ------------------------------------------------------------------ errors */

  var errorSeq = 0;

  /** Make an error visible in the banner at the top of the page. Never swallow errors silently. */
  function showError(context, err) {
    var msg = (context ? context + ":" : "") + describeError(err);
    var list = byId("error-list");
    // collapse identical messages
    var items = list.querySelectorAll("li");
    for (var i = 0; i < items.length; i++) {
      if (items[i].getAttribute("data-message") === msg) { list.removeChild(items[i]); }
    }
    var li = h("li", { "data-message": msg, "data-testid": "error-item", id: "err-" + (++errorSeq) },
      h("span", { class: "error-text", text: msg }),
      h("button", {
        type: "button", class: "btn btn-small btn-ghost", "aria-label": "关闭此错误",
        onclick: function () { list.removeChild(li); syncBanner(); }
      }, "×"));
    list.appendChild(li);
    while (list.children.length > 6) { list.removeChild(list.firstChild); }
    syncBanner();
    if (window.console && console.error) { console.error(msg, err); }
  }

  function syncBanner() { byId("error-banner").hidden = byId("error-list").children.length === 0; }

  function clearErrors() { clear(byId("error-list")); syncBanner(); }

  function ApiError(status, problems, message) {
    this.name = "ApiError";
    this.status = status;
    this.problems = problems || [];
    this.message = message || ("HTTP " + status);
  }
  ApiError.prototype = Object.create(Error.prototype);
  ApiError.prototype.constructor = ApiError;

  /** Normalise any `detail` shape into [{field, reason_zh, reason_en}]. */
  function normaliseDetail(detail) {
    if (detail === null || detail === undefined) { return []; }
    if (typeof detail === "string") { return [{ field: null, reason_zh: detail, reason_en: "" }]; }
    if (!Array.isArray(detail)) { detail = [detail]; }
    return detail.map(function (d) {
      if (typeof d === "string") { return { field: null, reason_zh: d, reason_en: "" }; }
      d = d || {};
      var field = d.field;
      if ((field === undefined || field === null) && Array.isArray(d.loc)) {
        // FastAPI/pydantic validation errors: {loc: ["body", "act_date"], msg, type}
        var locs = d.loc.filter(function (x) { return typeof x === "string" && x !== "body" && x !== "query" && x !== "path"; });
        field = locs.length ? locs[locs.length - 1] : null;
      }
      return {
        field: field === undefined ? null : field,
        reason_zh: d.reason_zh || d.msg || d.message || "",
        reason_en: d.reason_en || (d.reason_zh ? "" : d.type || "") || ""
      };
    });
  }

  function statusText(status) {
    var map = {
      400: "请求有误", 401: "未授权,请在页头填写有效的接口令牌", 403: "无权执行此操作",
      404: "未找到", 409: "与已有数据冲突", 422: "数据校验未通过", 429: "请求过于频繁",
      500: "服务器内部错误", 502: "网关错误", 503: "服务暂不可用", 504: "网关超时"
    };
    return map[status] || "请求失败";
  }

  function describeError(err) {
    if (!err) { return "未知错误"; }
    if (err instanceof ApiError) {
      var parts = err.problems.map(function (p) {
        var t = (p.field ? "[" + p.field + "] " : "") + (p.reason_zh || "");
        if (p.reason_en) { t += " (" + p.reason_en + ")"; }
        return t;
      }).filter(Boolean);
      var head = err.status ? "HTTP " + err.status + " " + statusText(err.status) : err.message;
      return head + (parts.length ? ":" + parts.join(";") : (err.status ? "" : ""));
    }
    if (err.name === "AbortError") { return "请求超时(" + REQUEST_TIMEOUT_MS / 1000 + " 秒)"; }
    if (err instanceof TypeError) { return "网络错误,无法连接服务器(" + err.message + ")"; }
    return err.message || String(err);
  }

  /* ------------------------------------------------------------------ API */

  function getToken() {
    try { return window.localStorage.getItem(TOKEN_KEY) || ""; } catch (e) { return ""; }
  }
  function setToken(v) {
    try {
      if (v) { window.localStorage.setItem(TOKEN_KEY, v); } else { window.localStorage.removeItem(TOKEN_KEY); }
    } catch (e) { showError("无法保存接口令牌", e); }
    syncTokenStatus();
  }
  function syncTokenStatus() {
    var st = byId("token-status");
    var has = !!getToken();
    st.textContent = has ? "已设置" : "未设置";
    st.setAttribute("data-set", String(has));
  }

  var busyCount = 0;
  function busy(delta) {
    busyCount = Math.max(0, busyCount + delta);
    byId("busy").hidden = busyCount === 0;
    document.body.setAttribute("aria-busy", busyCount > 0 ? "true" : "false");
  }

  function qs(params) {
    var u = new URLSearchParams();
    Object.keys(params || {}).forEach(function (k) {
      var v = params[k];
      if (v !== null && v !== undefined && v !== "") { u.set(k, String(v)); }
    });
    var t = u.toString();
    return t ? "?" + t : "";
  }

  /** fetch JSON from the API. Rejects with ApiError (HTTP error) or TypeError/AbortError (network). */
  function api(path, opts) {
    opts = opts || {};
    var headers = { "Accept": "application/json" };
    var init = { method: opts.method || "GET", headers: headers, credentials: "same-origin", cache: "no-store" };
    if (opts.form !== undefined) {
      init.body = opts.form; // multipart (FormData): the browser sets the Content-Type with its boundary
    } else if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    // Writes need the token; reads send it too when set, so that roles allowed to see personal data get full
    // resident ID numbers (reads without a token show them masked, e.g. 110105********002X).
    var tok = getToken();
    if (tok) { headers["Authorization"] = "Bearer " + tok; }
    var ctrl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = null;
    if (ctrl) { init.signal = ctrl.signal; timer = setTimeout(function () { ctrl.abort(); }, REQUEST_TIMEOUT_MS); }
    busy(1);
    return fetch(API + path, init).then(function (resp) {
      return resp.text().then(function (text) {
        var data = null;
        if (text) {
          try { data = JSON.parse(text); }
          catch (e) {
            if (resp.ok) { throw new ApiError(resp.status, [], "服务器返回的不是 JSON 数据"); }
          }
        }
        if (!resp.ok) {
          var problems = data && typeof data === "object" ? normaliseDetail(data.detail) : [];
          if (!problems.length && text && !data) {
            problems = [{ field: null, reason_zh: text.slice(0, 200), reason_en: "" }];
          }
          throw new ApiError(resp.status, problems);
        }
        return data;
      });
    }).then(function (data) {
      if (timer) { clearTimeout(timer); }
      busy(-1);
      return data;
    }, function (err) {
      if (timer) { clearTimeout(timer); }
      busy(-1);
      throw err;
    });
  }

  /* ------------------------------------------------------------------ reference data */

  var ref = { industries: [], departments: [], catalogue: [], industryMap: {}, departmentMap: {}, itemMap: {} };
  var refPromise = null;
  var fwPromise = null;

  /** The framework in force today (GET /api/v1/framework), fetched once; retried on the next view if it failed. */
  function loadFramework() {
    if (fwPromise) { return fwPromise; }
    fwPromise = api("/framework").then(function (d) {
      d = d || {};
      var grades = Array.isArray(d.grades) ? d.grades : [];
      var levels = Array.isArray(d.levels) ? d.levels : [];
      fw.data = d;
      fw.grades = grades.map(function (g) { return g.grade; });
      fw.levels = levels.map(function (l) { return l.level; });
      fw.gradeName = {};
      grades.forEach(function (g) { fw.gradeName[g.grade] = g.name || ""; });
      fw.levelGrade = {};
      levels.forEach(function (l) { fw.levelGrade[l.level] = l.grade; });
      renderFramework();
      return api("/collection").then(function (c) {
        c = c || {};
        Object.assign(INFO_CLASS, c.info_classes || {});
        var cats = c.admin_categories || {};
        Object.assign(ADMIN_CATEGORY, cats.good || {}, cats.bad || {});
      });
    }, function (e) {
      fwPromise = null;
      showError("加载评价框架参数失败", e);
    });
    return fwPromise;
  }

  /** Everything that shows the framework itself: the validity banner, the legend, the grade filter options. */
  function renderFramework() {
    var d = fw.data || {};
    var v = d.validity || {};
    var banner = byId("validity-banner");
    var w = v.warning;
    banner.hidden = !w;
    banner.setAttribute("data-kind", w ? String(w.kind || "") : "");
    byId("validity-title").textContent = w && w.kind === "lapsed" ? "本办法有效期已届满" : "本办法有效期提示";
    byId("validity-text").textContent = w ? String(w.message_zh || "") : "";
    byId("validity-text-en").textContent = w ? String(w.message_en || "") : "";

    var range = d.score_range ? "[" + fmtNum(d.score_range.min) + ", " + fmtNum(d.score_range.max) + "]" : "—";
    byId("legend-range").textContent = range;
    byId("sd-score-range").textContent = range;
    var legend = clear(byId("grade-legend"));
    (d.grades || []).forEach(function (g) {
      var lv = (d.levels || []).filter(function (l) { return l.grade === g.grade; });
      legend.appendChild(h("li", { "data-grade": g.grade, "data-testid": "legend-grade" },
        badge(g.grade, g.grade),
        h("span", { class: "legend-name", "data-testid": "legend-name", text: g.name || "" }),
        h("span", { class: "legend-band", text: bandText(g) }),
        lv.length ? h("span", { class: "legend-levels", text: "(" + lv.map(function (l) { return l.level + " " + bandText(l); }).join(" · ") + ")" }) : null));
    });

    var sel = byId("subj-grade");
    var keep = sel.value;
    clear(sel);
    sel.appendChild(h("option", { value: "", text: "全部" }));
    fw.grades.forEach(function (g) {
      sel.appendChild(h("option", { value: g, text: fw.gradeName[g] ? g + "(" + fw.gradeName[g] + ")" : g }));
    });
    sel.value = keep;
    if (sel.value !== keep) { sel.value = ""; }
  }

  function loadReference() {
    if (refPromise) { return refPromise; }
    var parts = [
      loadFramework(),
      api("/industries").then(function (d) {
        ref.industries = Array.isArray(d) ? d : [];
        ref.industryMap = {};
        ref.industries.forEach(function (i) { ref.industryMap[i.code] = i.name; });
      }, function (e) { showError("加载行业列表失败", e); }),
      api("/departments").then(function (d) {
        ref.departments = Array.isArray(d) ? d : [];
        ref.departmentMap = {};
        ref.departments.forEach(function (i) { ref.departmentMap[i.code] = i.name; });
      }, function (e) { showError("加载部门列表失败", e); }),
      api("/catalogue").then(function (d) {
        ref.catalogue = Array.isArray(d) ? d : [];
        ref.itemMap = {};
        ref.catalogue.forEach(function (i) { ref.itemMap[i.code] = i; });
      }, function (e) { showError("加载评价指标目录失败", e); })
    ];
    refPromise = Promise.all(parts).then(function () {
      fillReferenceControls();
      // retry on next navigation if something failed
      if (!ref.industries.length || !ref.departments.length || !ref.catalogue.length || !fw.data) { refPromise = null; }
    });
    return refPromise;
  }

  function industryName(code) {
    if (!code) { return "通用评价"; }
    return ref.industryMap[code] || String(code);
  }
  function departmentName(code) { return code ? (ref.departmentMap[code] || String(code)) : "—"; }

  function fillIndustrySelect(sel, firstLabel, codes) {
    var keep = sel.value;
    clear(sel);
    sel.appendChild(h("option", { value: "", text: firstLabel }));
    var list = codes ? codes.map(function (c) { return { code: c, name: industryName(c) }; }) : ref.industries;
    list.forEach(function (i) { sel.appendChild(h("option", { value: i.code, text: i.name + "(行业评价)" })); });
    sel.value = keep;
    if (sel.value !== keep) { sel.value = ""; }
  }

  function fillReferenceControls() {
    fillIndustrySelect(byId("ov-scope"), "通用评价");
    fillIndustrySelect(byId("subj-industry"), "全部(通用评价)");
    fillItemSelect();
    var dep = byId("rf-department");
    var keep = dep.value;
    clear(dep);
    dep.appendChild(h("option", { value: "", text: "请选择部门" }));
    ref.departments.forEach(function (d) { dep.appendChild(h("option", { value: d.code, text: d.name })); });
    dep.value = keep;
  }

  function itemLabel(it) {
    var sign = it.polarity === "good" ? "+" : "−";
    var t = it.code + " " + it.name + "(" + sign + fmtNum(it.points);
    if (it.cap !== null && it.cap !== undefined) { t += ",上限 " + fmtNum(it.cap); }
    t += ")";
    if (it.fuse) { t += " 【熔断】"; }
    if (it.heavier) { t += " 【较重】"; }
    return t;
  }

  function fillItemSelect() {
    var sel = byId("rf-item");
    var keep = sel.value;
    clear(sel);
    sel.appendChild(h("option", { value: "", text: "请选择指标" }));
    var groups = [];
    function group(label, filter) {
      var items = ref.catalogue.filter(filter).sort(function (a, b) {
        if (a.polarity !== b.polarity) { return a.polarity === "good" ? -1 : 1; }
        return String(a.code).localeCompare(String(b.code));
      });
      if (items.length) { groups.push({ label: label, items: items }); }
    }
    group("通用指标 General", function (i) { return i.family === "general"; });
    var seen = {};
    ref.industries.forEach(function (ind) {
      seen[ind.code] = true;
      group("行业指标 · " + ind.name, function (i) { return i.family === "industry" && i.industry === ind.code; });
    });
    // industries present in the catalogue but not in /industries
    ref.catalogue.forEach(function (i) {
      if (i.family === "industry" && !seen[i.industry]) {
        seen[i.industry] = true;
        group("行业指标 · " + industryName(i.industry), function (x) { return x.family === "industry" && x.industry === i.industry; });
      }
    });
    group("其他指标", function (i) { return i.family !== "general" && i.family !== "industry"; });
    groups.forEach(function (g) {
      var og = h("optgroup", { label: g.label });
      g.items.forEach(function (it) {
        og.appendChild(h("option", {
          value: it.code, text: itemLabel(it),
          "data-polarity": it.polarity, "data-fuse": String(!!it.fuse), "data-heavier": String(!!it.heavier)
        }));
      });
      sel.appendChild(og);
    });
    sel.value = keep;
    syncItemHint();
  }

  function itemCell(code) {
    var it = ref.itemMap[code];
    var cell = h("span", { class: "item-cell" }, h("code", { text: code || "—" }));
    if (it) {
      append(cell, [" ", it.name, " "]);
      append(cell, h("span", { class: "tag " + (it.polarity === "good" ? "tag-good" : "tag-bad"), text: it.polarity === "good" ? "加分" : "减分" }));
      if (it.fuse) { append(cell, h("span", { class: "tag tag-fused", text: "熔断" })); }
      if (it.heavier) { append(cell, h("span", { class: "tag tag-heavier", text: "较重" })); }
    }
    return cell;
  }

  /* ------------------------------------------------------------------ routing */

  var current = { name: "", args: [], query: new URLSearchParams() };
  var navSeq = 0;

  function safeDecode(x) { try { return decodeURIComponent(x); } catch (e) { return x; } }

  function parseHash() {
    var raw = (location.hash || "").replace(/^#\/?/, "");
    var qi = raw.indexOf("?");
    var path = qi >= 0 ? raw.slice(0, qi) : raw;
    var query = new URLSearchParams(qi >= 0 ? raw.slice(qi + 1) : "");
    var parts = path.split("/").filter(function (p) { return p !== ""; }).map(safeDecode);
    return { name: parts[0] || "overview", args: parts.slice(1), query: query };
  }

  function hashFor(name, args, params) {
    var p = "#/" + name;
    (args || []).forEach(function (a) { p += "/" + encodeURIComponent(a); });
    return p + qs(params);
  }

  function go(name, args, params) {
    var target = hashFor(name, args, params);
    if (location.hash === target) { route(); } else { location.hash = target; }
  }

  var VIEWS = {
    overview: showOverview,
    subjects: showSubjects,
    subject: showSubject,
    enter: showEnter,
    standards: showStandards
  };
  // the nav entry a view belongs to (a detail view highlights its list); other domains add theirs with addView
  var NAV_OF = { subject: "subjects" };

  /** A view of another domain (cases.js, …): `fn(r, seq)` shows section #view-NAME; `nav` names its nav entry.
   * Domain scripts load after app.js has routed once: a hash naming a view added now is routed again. */
  function addView(name, fn, nav) {
    VIEWS[name] = fn;
    if (nav) { NAV_OF[name] = nav; }
    if (parseHash().name === name) { route(); }
  }

  function route() {
    var r = parseHash();
    if (!VIEWS[r.name]) { r = { name: "overview", args: [], query: new URLSearchParams() }; }
    current = r;
    var seq = ++navSeq;
    clearErrors(); // errors belong to the view that raised them; the new view reports its own
    document.body.setAttribute("data-route", r.name);
    Object.keys(VIEWS).forEach(function (v) { byId("view-" + v).hidden = v !== r.name; });
    var navName = NAV_OF[r.name] || r.name;
    var links = document.querySelectorAll("[data-nav]");
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("data-nav") === navName) { links[i].setAttribute("aria-current", "page"); }
      else { links[i].removeAttribute("aria-current"); }
    }
    var view = VIEWS[r.name];
    Promise.resolve().then(function () { return view(r, seq); }).catch(function (e) {
      if (seq === navSeq) { setState(r.name, "error"); }
      showError("页面渲染失败", e);
    });
  }

  function stale(seq) { return seq !== navSeq; }

  /* ------------------------------------------------------------------ 5. standards (122号 第十一条, 第十二条) */

  var STANDARDS = "/api/v1/standards";
  var STATUS_NAME = { draft: "草案", consultation: "征求意见中", approved: "已审定待实施", in_force: "现行有效", superseded: "已被替代" };

  /** URL of a standards endpoint, e.g. stdUrl([version, "impact"]) → /api/v1/standards/VERSION/impact. */
  function stdUrl(parts) {
    return [STANDARDS].concat((parts || []).map(function (p) { return encodeURIComponent(p); })).join("/");
  }
  /** The same, relative to the API base (api() prepends API). */
  function stdPath(parts) { return stdUrl(parts).slice(API.length); }

  function showStandards(r, seq) {
    var version = r.args[0] || "";
    var asOf = r.query.get("as_of") || today();
    setState("standards", "loading");
    document.title = "评价标准 · 信用评价管理系统";
    byId("std-detail").hidden = !version;
    byId("std-impact").hidden = !version;
    byId("std-asof").value = asOf;
    return loadReference().then(function () {
      return api(stdPath()).then(function (rows) {
        if (stale(seq)) { return; }
        renderStandardList(rows || [], version);
        hooks.standard.forEach(function (fn) { fn(null, seq); });
        if (!version) { setState("standards", "ready"); return; }
        return Promise.all([
          api(stdPath([version])).then(function (d) {
            if (!stale(seq)) { renderStandard(d); hooks.standard.forEach(function (fn) { fn(d, seq); }); }
          }),
          loadImpact(version, asOf, seq)
        ]).then(function () { if (!stale(seq)) { setState("standards", "ready"); } });
      });
    }).catch(function (e) {
      if (stale(seq)) { return; }
      setState("standards", "error");
      showError("加载评价标准失败", e);
    });
  }

  function scopeName(family, industry) { return family === "general" ? "通用指标" : industryName(industry); }

  function renderStandardList(rows, selected) {
    var tbody = clear(byId("std-tbody"));
    if (!rows.length) { tbody.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 6, text: "暂无标准版本" }))); }
    rows.forEach(function (row) {
      var link = h("a", { href: hashFor("standards", [row.version]), text: row.version });
      tbody.appendChild(h("tr", { "data-version": row.version, "aria-selected": row.version === selected ? "true" : null },
        h("td", null, link),
        h("td", { text: scopeName(row.family, row.industry) }),
        h("td", null, h("span", { class: "tag tag-status-" + row.status, "data-status": row.status, text: STATUS_NAME[row.status] || row.status })),
        h("td", { text: row.consultation_start ? row.consultation_start + " 至 " + row.consultation_end : "—" }),
        h("td", { text: row.approved_by || "—" }),
        h("td", { text: row.effective_date || "—" })));
    });
  }

  function renderStandard(d) {
    var life = d.lifecycle || {};
    byId("std-name").textContent = d.name || "—";
    byId("std-version").textContent = d.version || "—";
    var st = byId("std-status");
    st.textContent = STATUS_NAME[life.status] || life.status || "—";
    st.setAttribute("data-status", life.status || "");
    var meta = [scopeName(d.family, d.industry), "依据:" + (d.reference || "—")];
    if (life.based_on) { meta.push("修订自 " + life.based_on); }
    if (life.approved_by) { meta.push("审定:" + life.approved_by + " " + (life.approved_at || "")); }
    if (life.superseded_by) { meta.push("已被 " + life.superseded_by + " 替代"); }
    byId("std-meta").textContent = meta.join(" · ");
    var tbody = clear(byId("std-items-tbody"));
    (d.items || []).forEach(function (it) {
      tbody.appendChild(h("tr", null,
        h("td", null, h("code", { text: it.code })),
        h("td", null, it.name, it.work_safety ? h("span", { class: "tag tag-good", text: "安全生产" }) : null,
          it.fuse ? h("span", { class: "tag tag-fused", text: "熔断" }) : null),
        h("td", { class: "num", text: fmtSigned(it.points, it.polarity) }),
        h("td", { class: "num", text: it.cap === null || it.cap === undefined ? "—" : fmtNum(it.cap) }),
        h("td", { class: "article", text: it.article })));
    });
  }

  function loadImpact(version, asOf, seq) {
    byId("std-impact-summary").textContent = "测算中…";
    byId("std-impact-csv").setAttribute("href", stdUrl([version, "impact.csv"]) + qs({ as_of: asOf }));
    return api(stdPath([version, "impact"]) + qs({ as_of: asOf, limit: 500 })).then(function (rep) {
      if (stale(seq)) { return; }
      renderImpact(rep || {});
    }, function (e) {
      if (stale(seq)) { return; }
      byId("std-impact-summary").textContent = "测算失败";
      showError("影响测算失败", e);
    });
  }

  function renderImpact(rep) {
    var shown = (rep.subjects || []).length;
    byId("std-impact-summary").textContent = "基准日 " + rep.as_of + ":" + (rep.replaces ? "替换 " + rep.replaces + "," : "") +
      "共 " + rep.total + " 个评价结果,其中 " + rep.changed + " 个发生变化(" + pct(rep.changed, rep.total) + ")" +
      (shown < rep.changed ? ",下表列出前 " + shown + " 个,完整名单请导出 CSV" : "");
    var body = clear(byId("std-impact-svg-body"));
    var pairs = Object.keys(rep.transitions || {}).map(function (k) { return [k, rep.transitions[k]]; });
    var same = 0;
    var moved = pairs.filter(function (p) {
      var ends = p[0].split("->");
      if (ends[0] === ends[1]) { same += p[1]; return false; }
      return true;
    });
    var bars = [["级别不变", same]].concat(moved);
    var max = Math.max.apply(null, bars.map(function (b) { return b[1]; }).concat([1]));
    var rowH = 24;
    byId("std-impact-svg").setAttribute("viewBox", "0 0 900 " + Math.max(60, bars.length * rowH + 20));
    bars.forEach(function (b, i) {
      var y = 10 + i * rowH;
      var w = Math.round((b[1] / max) * 640);
      var ends = b[0].split("->");
      var cls = i === 0 ? "bar-same" : (fw.levels.indexOf(ends[1]) < fw.levels.indexOf(ends[0]) ? "bar-up" : "bar-down");
      body.appendChild(s("text", { x: 150, y: y + 16, "text-anchor": "end", class: "bar-label" }, b[0]));
      body.appendChild(s("rect", { x: 160, y: y + 3, width: Math.max(w, 1), height: rowH - 6, class: "bar " + cls, "data-transition": b[0], "data-count": b[1] }));
      body.appendChild(s("text", { x: 166 + w, y: y + 16, class: "bar-value" }, String(b[1])));
    });
    var tbody = clear(byId("std-impact-tbody"));
    if (!shown) { tbody.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 6, text: "没有评价结果发生变化" }))); }
    (rep.subjects || []).forEach(function (x) {
      tbody.appendChild(h("tr", null,
        h("td", null, isMasked(x.subject) ? h("code", { text: x.subject }) :
          h("a", { href: hashFor("subject", [x.subject], { industry: x.industry || "" }) }, h("code", { text: x.subject }))),
        h("td", { text: x.industry ? industryName(x.industry) : "通用评价" }),
        h("td", { class: "num", text: fmtNum(x.before.score) }),
        h("td", null, badge(x.before.level, gradeOf(x.before.level))),
        h("td", { class: "num", text: fmtNum(x.after.score) }),
        h("td", null, badge(x.after.level, gradeOf(x.after.level)))));
    });
  }

  /** CSV download with the token (a draft's impact is not public): fetch, then save the blob. */
  function downloadImpactCsv(ev) {
    ev.preventDefault();
    var href = this.getAttribute("href");
    var headers = {};
    var tok = getToken();
    if (tok) { headers["Authorization"] = "Bearer " + tok; }
    busy(1);
    fetch(href, { headers: headers, credentials: "same-origin", cache: "no-store" }).then(function (resp) {
      if (!resp.ok) { throw new ApiError(resp.status, []); }
      return resp.blob();
    }).then(function (blob) {
      busy(-1);
      var url = URL.createObjectURL(blob);
      var a = h("a", { href: url, download: "impact-" + (current.args[0] || "standard") + ".csv" });
      document.body.appendChild(a);
      a.click();
      document.body.removeChild(a);
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    }, function (e) { busy(-1); showError("导出 CSV 失败", e); });
  }

  /* ------------------------------------------------------------------ 1. overview */

  function showOverview(r, seq) {
    var industry = r.query.get("industry") || "";
    setState("overview", "loading");
    document.title = "总览 · 信用评价管理系统";
    return loadReference().then(function () {
      if (stale(seq)) { return; }
      var sel = byId("ov-scope");
      ensureOption(sel, industry, industryName(industry) + "(行业评价)");
      sel.value = industry;
      return api("/stats/distribution" + qs({ industry: industry })).then(function (dist) {
        if (stale(seq)) { return; }
        renderDistribution(dist || {}, industry);
        setState("overview", "ready");
      }, function (e) {
        if (stale(seq)) { return; }
        renderDistribution({ total: null, grades: {}, levels: {}, fused: null }, industry);
        setState("overview", "error");
        showError("加载等级分布失败", e);
      });
    });
  }

  function ensureOption(sel, value, label) {
    if (!value) { return; }
    for (var i = 0; i < sel.options.length; i++) { if (sel.options[i].value === value) { return; } }
    sel.appendChild(h("option", { value: value, text: label }));
  }

  function renderDistribution(dist, industry) {
    var grades = dist.grades || {};
    var levels = dist.levels || {};
    var total = isNum(dist.total) ? dist.total : null;
    byId("ov-total").textContent = total === null ? "—" : fmtNum(total);
    byId("ov-total").setAttribute("data-value", total === null ? "" : String(total));
    byId("ov-fused").textContent = isNum(dist.fused) ? fmtNum(dist.fused) : "—";
    byId("ov-fused").setAttribute("data-value", isNum(dist.fused) ? String(dist.fused) : "");
    byId("ov-scope-name").textContent = industryName(industry);

    var levelKeys = fw.levels.slice();
    Object.keys(levels).forEach(function (k) { if (levelKeys.indexOf(k) < 0) { levelKeys.push(k); } });

    drawChart(grades, levels, levelKeys, total, industry);

    var tb = clear(byId("dist-tbody"));
    var gradeKeys = fw.grades.slice();
    Object.keys(grades).forEach(function (k) { if (gradeKeys.indexOf(k) < 0) { gradeKeys.push(k); } });
    gradeKeys.forEach(function (g, i) {
      var n = Number(grades[g] || 0);
      tb.appendChild(h("tr", { "data-kind": "grade", "data-key": g },
        i === 0 ? h("th", { scope: "rowgroup", rowspan: gradeKeys.length, text: "四等" }) : null,
        h("td", {}, badge(fw.gradeName[g] ? g + " " + fw.gradeName[g] : g, gradeOf(g))),
        h("td", { class: "num", text: fmtNum(n) }),
        h("td", { class: "num", text: pct(n, total) })));
    });
    levelKeys.forEach(function (l, i) {
      var n = Number(levels[l] || 0);
      tb.appendChild(h("tr", { "data-kind": "level", "data-key": l, class: i === 0 ? "group-start" : null },
        i === 0 ? h("th", { scope: "rowgroup", rowspan: levelKeys.length, text: "九级" }) : null,
        h("td", {}, badge(l, gradeOf(l))),
        h("td", { class: "num", text: fmtNum(n) }),
        h("td", { class: "num", text: pct(n, total) })));
    });
  }

  /** Inline SVG bar chart: four grade classes (left) and nine levels (right), counts labelled. */
  function drawChart(grades, levels, levelKeys, total, industry) {
    var W = 900, H = 330;
    var body = clear(byId("dist-svg-body"));
    var gradeKeys = fw.grades.slice();
    Object.keys(grades).forEach(function (k) { if (gradeKeys.indexOf(k) < 0) { gradeKeys.push(k); } });
    var desc = "四等:" + gradeKeys.map(function (g) { return g + " " + fmtNum(grades[g] || 0); }).join(",") +
      ";九级:" + levelKeys.map(function (l) { return l + " " + fmtNum(levels[l] || 0); }).join(",");
    byId("dist-svg-title").textContent = "信用等级分布(" + industryName(industry) + ")";
    byId("dist-svg-desc").textContent = desc;
    panel(body, { x: 20, w: 300, title: "四等 Grades", keys: gradeKeys, counts: grades, kind: "grade", total: total, H: H });
    panel(body, { x: 360, w: 520, title: "九级 Levels", keys: levelKeys, counts: levels, kind: "level", total: total, H: H });
    if (total === 0) {
      body.appendChild(s("text", { x: W / 2, y: H / 2, class: "chart-empty", "text-anchor": "middle" }, "暂无评价数据"));
    }
    byId("dist-chart").setAttribute("data-scope", industry || "general");
  }

  function panel(svg, o) {
    var top = 56, bottom = o.H - 44, plotH = bottom - top;
    var values = o.keys.map(function (k) { return Math.max(0, Number(o.counts[k] || 0)); });
    var max = Math.max.apply(null, [1].concat(values));
    var slot = o.w / o.keys.length;
    var barW = Math.min(54, slot * 0.64);
    var g = s("g", { class: "chart-panel", "data-kind": o.kind });
    g.appendChild(s("text", { x: o.x + o.w / 2, y: 24, class: "chart-title", "text-anchor": "middle" }, o.title));
    // light gridlines at 50% and 100% of the panel maximum
    [0.5, 1].forEach(function (f) {
      var y = bottom - plotH * f;
      g.appendChild(s("line", { x1: o.x, x2: o.x + o.w, y1: y, y2: y, class: "chart-grid" }));
    });
    g.appendChild(s("line", { x1: o.x, x2: o.x + o.w, y1: bottom, y2: bottom, class: "chart-axis" }));
    o.keys.forEach(function (k, i) {
      var n = values[i];
      var bh = plotH * n / max;
      var x = o.x + i * slot + (slot - barW) / 2;
      var rect = s("rect", {
        x: x.toFixed(1), y: (bottom - bh).toFixed(1), width: barW.toFixed(1), height: Math.max(bh, 0).toFixed(1),
        rx: 3, class: "bar bar-" + (gradeOf(k) || "none"), "data-kind": o.kind, "data-key": k, "data-count": n
      });
      rect.appendChild(s("title", {}, k + ":" + fmtNum(n) + " 个" + (o.total ? "(" + pct(n, o.total) + ")" : "")));
      g.appendChild(rect);
      g.appendChild(s("text", {
        x: (x + barW / 2).toFixed(1), y: (bottom - bh - 7).toFixed(1), class: "bar-count", "text-anchor": "middle",
        "data-kind": o.kind, "data-key": k
      }, fmtNum(n)));
      g.appendChild(s("text", {
        x: (x + barW / 2).toFixed(1), y: bottom + 22, class: "bar-label", "text-anchor": "middle"
      }, k));
    });
    svg.appendChild(g);
  }

  /* ------------------------------------------------------------------ 2. subjects */

  function showSubjects(r, seq) {
    var q = r.query.get("q") || "";
    var grade = r.query.get("grade") || "";
    var industry = r.query.get("industry") || "";
    var page = Math.max(1, parseInt(r.query.get("page") || "1", 10) || 1);
    setState("subjects", "loading");
    document.title = "评价对象 · 信用评价管理系统";
    byId("subj-q").value = q;
    return loadReference().then(function () {
      if (stale(seq)) { return; }
      byId("subj-grade").value = fw.grades.indexOf(grade) >= 0 ? grade : "";
      var isel = byId("subj-industry");
      ensureOption(isel, industry, industryName(industry) + "(行业评价)");
      isel.value = industry;
      var params = { q: q, grade: grade, industry: industry, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE };
      return api("/subjects" + qs(params)).then(function (data) {
        if (stale(seq)) { return; }
        renderSubjects(data || {}, page, { q: q, grade: grade, industry: industry });
        setState("subjects", "ready");
      }, function (e) {
        if (stale(seq)) { return; }
        var tb = clear(byId("subject-tbody"));
        tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 8, text: "加载失败:" + describeError(e) })));
        byId("subj-summary").textContent = "加载失败";
        setState("subjects", "error");
        showError("加载评价对象失败", e);
      });
    });
  }

  function renderSubjects(data, page, filters) {
    var items = Array.isArray(data.items) ? data.items : [];
    var total = isNum(data.total) ? data.total : items.length;
    var pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    var tb = clear(byId("subject-tbody"));
    if (!items.length) {
      tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 8, text: "没有符合条件的评价对象" })));
    }
    items.forEach(function (it) {
      var ev = it.evaluation || {};
      var params = filters.industry ? { industry: filters.industry } : {};
      var href = hashFor("subject", [it.code], params);
      var level = ev.level || "";
      var masked = isMasked(it.code);
      var maskTitle = "个人身份证号已脱敏;填写有权查看个人信息的接口令牌后可查看详情";
      tb.appendChild(h("tr", { "data-code": it.code, "data-testid": "subject-row", "data-masked": String(masked) },
        h("td", {}, masked
          ? h("code", { class: "masked", title: maskTitle, text: it.code })
          : h("a", { href: href, class: "code-link", "data-testid": "subject-link" }, h("code", { text: it.code }))),
        h("td", {}, masked ? h("span", { title: maskTitle, text: it.name || "—" }) : h("a", { href: href, text: it.name || "—" })),
        h("td", {}, h("span", { class: "tag tag-kind", text: kindName(it.kind) })),
        h("td", { text: nationalName(it.national_grade) }),
        h("td", { class: "num", "data-value": isNum(ev.score) ? ev.score : "", text: fmtNum(ev.score) }),
        h("td", {}, badge(ev.grade, gradeOf(ev.grade), "row-grade")),
        h("td", {}, badge(level, gradeOf(level), "row-level")),
        h("td", {}, ev.fused ? h("span", { class: "tag tag-fused", "data-testid": "fused-tag", text: "熔断" }) : h("span", { class: "muted", text: "—" }))));
    });
    var from = total ? (page - 1) * PAGE_SIZE + 1 : 0;
    var to = Math.min(total, (page - 1) * PAGE_SIZE + items.length);
    byId("subj-summary").textContent = "共 " + total + " 个评价对象" + (total ? ",当前显示第 " + from + "–" + to + " 个" : "") +
      (filters.industry ? " · 评价范围:" + industryName(filters.industry) : " · 评价范围:通用评价");
    byId("subj-page").textContent = "第 " + page + " / " + pages + " 页";
    var prev = byId("subj-prev"), next = byId("subj-next");
    prev.disabled = page <= 1;
    next.disabled = page >= pages;
    prev.onclick = function () { go("subjects", [], Object.assign({}, filters, { page: page - 1 > 1 ? page - 1 : null })); };
    next.onclick = function () { go("subjects", [], Object.assign({}, filters, { page: page + 1 })); };
  }

  /* ------------------------------------------------------------------ 3. subject detail */

  function showSubject(r, seq) {
    var code = r.args[0] || "";
    var industry = r.query.get("industry") || "";
    var asOf = r.query.get("as_of") || "";
    setState("subject", "loading");
    resetDetail(code);
    if (!code) {
      setState("subject", "error");
      showError("评价对象详情", new Error("缺少评价对象代码"));
      return;
    }
    if (isMasked(code)) {
      setState("subject", "error");
      showError("评价对象详情", new Error("该个人身份证号已脱敏(" + code + "),无法查询;请在页头填写有权查看个人信息的接口令牌后从列表进入"));
      return;
    }
    byId("sd-asof").value = asOf;
    byId("sd-asof").removeAttribute("data-auto");
    byId("sd-enter-link").setAttribute("href", hashFor("enter", [], { subject: code }));
    var enc = "/subjects/" + encodeURIComponent(code);
    return loadReference().then(function () {
      if (stale(seq)) { return; }
      var pSubject = api(enc);
      var pEval = api(enc + "/evaluation" + qs({ industry: industry, as_of: asOf }));
      var pRecords = api(enc + "/records");
      return Promise.all([settle(pSubject), settle(pEval), settle(pRecords)]).then(function (res) {
        if (stale(seq)) { return; }
        var failed = false;
        if (res[0].ok) { renderSubjectHead(res[0].value || {}, industry); }
        else { failed = true; showError("加载评价对象信息失败", res[0].error); fillScope([], industry); }
        if (res[1].ok) { renderEvaluation(res[1].value || {}); }
        else { failed = true; showError("加载信用评价失败", res[1].error); }
        if (res[2].ok) { renderRecords(res[2].value || []); }
        else {
          failed = true; showError("加载信用记录失败", res[2].error);
          clear(byId("records-tbody")).appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 10, text: "加载失败:" + describeError(res[2].error) })));
        }
        setState("subject", failed ? "error" : "ready");
        loadArchive(enc, seq);
        hooks.subject.forEach(function (fn) { fn(enc, seq); });
      });
    });
  }

  /* 电子信用档案 (122号 第十九条): read with a token only; a refusal is explained in place, not as a page error */

  var ARCHIVE_KINDS = {
    subject_created: "登记评价对象", record_entered: "录入记录", record_withdrawn: "撤销记录",
    record_corrected: "更正记录", evidence_attached: "上传证明材料", evaluation_changed: "评价变动",
    industry_enrolled: "纳入行业评价"
  };

  function loadArchive(enc, seq) {
    var tb = clear(byId("archive-tbody"));
    var note = byId("sd-archive-note");
    if (!getToken()) {
      note.textContent = "登录或填写接口令牌后可查看档案(查阅记入审计)。";
      return;
    }
    note.textContent = "正在加载档案…";
    settle(api(enc + "/archive")).then(function (res) {
      if (stale(seq)) { return; }
      if (!res.ok) {
        note.textContent = "无法查看档案:" + describeError(res.error);
        return;
      }
      var entries = (res.value && Array.isArray(res.value.entries)) ? res.value.entries : [];
      note.textContent = "共 " + entries.length + " 条;每条记载前一条的哈希,任何改动都可由 xinyong archive verify 发现。";
      entries.slice().reverse().forEach(function (e) {
        tb.appendChild(h("tr", { "data-testid": "archive-row", "data-seq": e.seq, "data-kind": e.kind },
          h("td", { class: "num", text: String(e.seq) }),
          h("td", { text: String(e.at || "").replace("T", " ").slice(0, 19) }),
          h("td", {}, h("span", { class: "tag", text: ARCHIVE_KINDS[e.kind] || e.kind })),
          h("td", { text: e.summary || "" }),
          h("td", {}, h("code", { class: "hash", title: "前一条 " + (e.prev_hash || ""), text: String(e.hash || "").slice(0, 12) + "…" }))));
      });
    });
  }

  function settle(p) {
    return p.then(function (v) { return { ok: true, value: v }; }, function (e) { return { ok: false, error: e }; });
  }

  function resetDetail(code) {
    byId("sd-name").textContent = "—";
    byId("sd-code").textContent = code || "—";
    byId("sd-kind").textContent = "—";
    byId("sd-national").textContent = "—";
    byId("sd-industries").textContent = "—";
    byId("sd-score").textContent = "—";
    byId("sd-score").setAttribute("data-value", "");
    byId("sd-score").setAttribute("data-grade", "");
    setBadge(byId("sd-grade"), "", "");
    setBadge(byId("sd-level"), "", "");
    setFused(byId("sd-fused"), null);
    ["sd-eval-scope", "sd-eval-asof", "sd-base", "sd-version"].forEach(function (id) { byId(id).textContent = "—"; });
    COMPONENTS.forEach(function (c) { var el = byId("sd-c-" + c); el.textContent = "—"; el.setAttribute("data-value", ""); });
    byId("sd-fuse-box").hidden = true;
    clear(byId("sd-fuse-list"));
    clear(byId("sd-eval-warnings")).hidden = true;
    clear(byId("lines-tbody")).appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 5, text: "加载中…" })));
    clear(byId("records-tbody")).appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 10, text: "加载中…" })));
  }

  function fillScope(codes, industry) {
    var all = (codes || []).slice();
    if (industry && all.indexOf(industry) < 0) { all.push(industry); }
    fillIndustrySelect(byId("sd-scope"), "通用评价", all);
    byId("sd-scope").value = industry;
  }

  function renderSubjectHead(sub, industry) {
    byId("sd-name").textContent = sub.name || "—";
    byId("sd-code").textContent = sub.code || current.args[0] || "—";
    byId("sd-kind").textContent = kindName(sub.kind);
    byId("sd-national").textContent = nationalName(sub.national_grade);
    var inds = Array.isArray(sub.industries) ? sub.industries : [];
    byId("sd-industries").textContent = inds.length ? inds.map(industryName).join("、") : "无";
    fillScope(inds, industry);
    document.title = (sub.name || "评价对象") + " · 信用评价管理系统";
  }

  function renderEvaluation(ev) {
    var score = byId("sd-score");
    score.textContent = fmtNum(ev.score);
    score.setAttribute("data-value", isNum(ev.score) ? String(ev.score) : "");
    score.setAttribute("data-grade", gradeOf(ev.grade));
    setBadge(byId("sd-grade"), ev.grade, gradeOf(ev.grade));
    setBadge(byId("sd-level"), ev.level, gradeOf(ev.level));
    setFused(byId("sd-fused"), !!ev.fused);
    byId("sd-eval-scope").textContent = industryName(ev.industry);
    byId("sd-eval-asof").textContent = ev.as_of || "—";
    byId("sd-base").textContent = fmtNum(ev.base_score);
    byId("sd-version").textContent = ev.standard_version || "—";
    var asofInput = byId("sd-asof");
    if (!asofInput.value && ev.as_of) {
      // show the date the server evaluated at, but keep following "today" unless the user picks a date
      asofInput.value = String(ev.as_of).slice(0, 10);
      asofInput.setAttribute("data-auto", asofInput.value);
    }

    var comps = ev.components || {};
    COMPONENTS.forEach(function (c) {
      var el = byId("sd-c-" + c);
      var v = comps[c];
      el.textContent = fmtSigned(v, /bonus$/.test(c) ? "good" : "bad");
      el.setAttribute("data-value", v === undefined || v === null ? "" : String(v));
    });

    var reasons = Array.isArray(ev.fuse_reasons) ? ev.fuse_reasons : [];
    var list = clear(byId("sd-fuse-list"));
    reasons.forEach(function (fr) {
      var ids = Array.isArray(fr.record_ids) ? fr.record_ids : [];
      var listings = Array.isArray(fr.listing_ids) ? fr.listing_ids : [];
      list.appendChild(h("li", { "data-testid": "fuse-reason", "data-article": fr.article || "" },
        h("strong", { class: "article", text: fr.article || "—" }),
        h("span", { class: "muted", text: " · 相关记录:" }),
        ids.length ? ids.map(function (id, i) {
          return [i ? "、" : "", h("code", { class: "record-ref", "data-record-id": id, text: "#" + id })];
        }) : "无",
        // a listing that still holds on the evaluation day (122号 第十六条(一), 名单 X-02)
        listings.length ? [h("span", { class: "muted", text: " · 名单:" }), listings.map(function (id, i) {
          return [i ? "、" : "", h("code", { class: "listing-ref", "data-testid": "fuse-listing", "data-listing-id": id, text: "名单#" + id })];
        })] : null));
    });
    byId("sd-fuse-box").hidden = !ev.fused && reasons.length === 0;

    var lines = Array.isArray(ev.lines) ? ev.lines : [];
    var tb = clear(byId("lines-tbody"));
    if (!lines.length) {
      tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 5, text: "本评价周期内没有计分记录" })));
    }
    lines.forEach(function (ln) {
      var it = ref.itemMap[ln.item] || {};
      // points is the item's signed value, applied the part counted after caps/budgets (compare magnitudes)
      var capped = isNum(ln.points) && isNum(ln.applied) && Math.abs(ln.applied) < Math.abs(ln.points);
      // a record that scores nothing says why (before the measures took effect, an item not in force)
      var unscored = !!(ln.note_zh || ln.note_en);
      tb.appendChild(h("tr", { "data-record-id": ln.record_id, "data-testid": "line-row", "data-unscored": unscored ? "true" : null,
        class: capped ? "capped" : (unscored ? "unscored" : null) },
        h("td", {}, h("code", { text: ln.record_id === null || ln.record_id === undefined ? "—" : "#" + ln.record_id })),
        h("td", {}, itemCell(ln.item)),
        h("td", { class: "num", "data-value": ln.points, text: fmtSigned(ln.points, it.polarity) }),
        h("td", { class: "num", "data-value": ln.applied, title: capped ? "受上限或分值构成限制,只计入部分分值" : null },
          fmtSigned(ln.applied, it.polarity), capped ? h("span", { class: "tag tag-capped", text: "限额" }) : null,
          unscored ? h("span", { class: "tag tag-unscored", text: "不计分" }) : null),
        h("td", { class: "article" }, ln.article || (unscored ? "" : it.article) || (unscored ? "" : "—"),
          unscored ? h("span", { class: "line-note", "data-testid": "line-note" }, ln.note_zh || "",
            ln.note_en ? h("small", { lang: "en", text: " " + ln.note_en }) : null) : null)));
    });
    renderEvalWarnings(Array.isArray(ev.warnings) ? ev.warnings : []);
  }

  /** The warnings an evaluation carries (e.g. the measures lapsed, 122号 第二十八条), as a banner above it. */
  function renderEvalWarnings(warnings) {
    var box = clear(byId("sd-eval-warnings"));
    box.hidden = !warnings.length;
    box.setAttribute("data-kind", warnings.length ? String(warnings[0].kind || "") : "");
    warnings.forEach(function (w) {
      box.appendChild(h("p", { "data-testid": "eval-warning", "data-kind": w.kind || "" },
        h("strong", { text: "评价提示 " }), w.message_zh || "", w.message_en ? h("small", { lang: "en", text: " " + w.message_en }) : null));
    });
  }

  function renderRecords(records) {
    var tb = clear(byId("records-tbody"));
    if (!Array.isArray(records) || !records.length) {
      tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 10, text: "暂无信用记录" })));
      return;
    }
    records.forEach(function (rec) {
      var active = rec.status === "active";
      var due = h("td", {}, rec.due_date || "—");
      if (rec.due_provisional) {
        append(due, [" ", h("span", { class: "tag tag-provisional", "data-testid": "provisional-tag", title: "填报期限按预估的节假日安排计算,待正式公布后可能调整", text: "预估" })]);
      }
      if (rec.late) {
        append(due, [" ", h("span", { class: "tag tag-late", "data-testid": "late-tag", title: "超过填报期限录入", text: "逾期" })]);
      }
      var status = h("td", {}, h("span", { class: "tag " + (active ? "tag-ok" : "tag-withdrawn"), "data-testid": "record-status",
        text: active ? "有效" : (RECORD_STATUS[rec.status] || String(rec.status || "—")) }));
      if (rec.status === "duplicate" && rec.duplicate_of !== null && rec.duplicate_of !== undefined) {
        // G1-16: the same decision entered again; it is kept, linked to the record that counts
        append(status, [" ", h("span", { class: "muted", "data-testid": "duplicate-of", "data-record-id": rec.duplicate_of,
          title: "同一决定(部门、文书编号、指标相同)已有记录,本条不重复计分", text: "同 #" + rec.duplicate_of })]);
      }
      tb.appendChild(h("tr", { "data-record-id": rec.id, "data-status": rec.status, "data-testid": "record-row", class: active ? null : "withdrawn" },
        h("td", {}, h("code", { text: "#" + rec.id })),
        h("td", {}, itemCell(rec.item)),
        h("td", { "data-testid": "record-class" },
          h("span", { class: "tag", "data-value": rec.info_class || "", text: INFO_CLASS[rec.info_class] || rec.info_class || "—" }),
          rec.admin_category ? [" ", h("span", { class: "muted", "data-value": rec.admin_category, text: ADMIN_CATEGORY[rec.admin_category] || rec.admin_category })] : null),
        h("td", { text: rec.act_date || "—" }),
        h("td", { text: departmentName(rec.department) }),
        h("td", {}, h("span", { class: "source-ref", text: rec.source_ref || "—" }),
          rec.decision_no ? h("div", { class: "muted", "data-testid": "record-decision-no", text: "文书编号:" + rec.decision_no }) : null),
        due,
        status,
        h("td", { class: "note", text: rec.note || "" }),
        h("td", {}, active ? h("button", {
          type: "button", class: "btn btn-small btn-danger-outline", "data-testid": "withdraw-btn", "data-record-id": rec.id,
          "aria-label": "撤回记录 " + rec.id, onclick: function () { openWithdraw(rec.id); }
        }, "撤回") : h("span", { class: "muted", text: "—" }))));
    });
  }

  function detailParamsFromControls() {
    var p = {};
    var ind = byId("sd-scope").value;
    var input = byId("sd-asof");
    var asOf = input.value;
    if (asOf && asOf === input.getAttribute("data-auto")) { asOf = ""; }
    if (ind) { p.industry = ind; }
    if (asOf) { p.as_of = asOf; }
    return p;
  }

  /* withdraw dialog */

  var withdrawId = null;

  function openWithdraw(id) {
    withdrawId = id;
    byId("wd-record").textContent = "#" + id;
    byId("wd-reason").value = "";
    clear(byId("wd-error"));
    byId("wd-confirm").disabled = false;
    var dlg = byId("withdraw-dialog");
    if (!getToken()) {
      byId("wd-error").appendChild(withdrawError(null, "尚未设置接口令牌,撤回需要在页头填写令牌", "API token required"));
    }
    if (typeof dlg.showModal === "function") { dlg.showModal(); } else { dlg.setAttribute("open", ""); }
    byId("wd-reason").focus();
  }

  function withdrawError(field, zh, en) {
    var node = formError(field, zh, en);
    node.setAttribute("data-testid", "withdraw-error-item");
    return node;
  }

  function closeWithdraw() {
    clear(byId("wd-error"));
    var dlg = byId("withdraw-dialog");
    if (typeof dlg.close === "function" && dlg.open) { dlg.close(); } else { dlg.removeAttribute("open"); }
    withdrawId = null;
  }

  function submitWithdraw(ev) {
    ev.preventDefault();
    var reason = byId("wd-reason").value.trim();
    var box = clear(byId("wd-error"));
    if (!reason) {
      box.appendChild(withdrawError("reason", "请填写撤回原因", "reason is required"));
      byId("wd-reason").focus();
      return;
    }
    var id = withdrawId;
    byId("wd-confirm").disabled = true;
    api("/records/" + encodeURIComponent(id) + "/withdraw", { method: "POST", body: { reason: reason } }).then(function () {
      closeWithdraw();
      route(); // reload the detail: records and evaluation change
    }, function (e) {
      byId("wd-confirm").disabled = false;
      var problems = e instanceof ApiError && e.problems.length ? e.problems : [{ field: null, reason_zh: describeError(e), reason_en: "" }];
      if (e instanceof ApiError) {
        box.appendChild(withdrawError(null, "HTTP " + e.status + " " + statusText(e.status), ""));
      }
      problems.forEach(function (p) { box.appendChild(withdrawError(p.field, p.reason_zh, p.reason_en)); });
    });
  }

  /* ------------------------------------------------------------------ 4. enter a record */

  function showEnter(r, seq) {
    document.title = "录入 · 信用评价管理系统";
    setState("enter", "loading");
    var subj = r.query.get("subject");
    if (subj !== null && subj !== byId("rf-subject").value) {
      byId("rf-subject").value = subj;
      lookupSubject();
    }
    if (!byId("rf-act_date").value) { byId("rf-act_date").value = today(); }
    return loadReference().then(function () {
      if (stale(seq)) { return; }
      setState("enter", "ready");
    });
  }

  /** Clone the static error template from index.html. */
  function formError(field, zh, en) {
    var tpl = byId("tpl-form-error");
    var node = tpl.content.firstElementChild.cloneNode(true);
    node.setAttribute("data-field", field || "");
    node.querySelector(".reason-zh").textContent = zh || "数据有误";
    var enEl = node.querySelector(".reason-en");
    if (en) { enEl.textContent = en; } else { enEl.parentNode.removeChild(enEl); }
    return node;
  }

  function clearFormErrors() {
    clear(byId("rf-errors-general"));
    FORM_FIELDS.forEach(function (f) {
      clear(byId("rf-err-" + f));
      byId("rf-" + f).removeAttribute("aria-invalid");
      byId("rf-" + f).closest(".field").classList.remove("has-error");
    });
  }

  function fieldKey(field) {
    if (!field) { return null; }
    var parts = String(field).split(/[.\/\[\]]/).filter(Boolean);
    for (var i = parts.length - 1; i >= 0; i--) { if (FORM_FIELDS.indexOf(parts[i]) >= 0) { return parts[i]; } }
    return null;
  }

  function showFormErrors(err) {
    var problems = err instanceof ApiError ? err.problems : [];
    var general = byId("rf-errors-general");
    var first = null;
    if (err instanceof ApiError) {
      general.appendChild(h("p", { class: "form-error-head", text: "提交未成功:HTTP " + err.status + " " + statusText(err.status) }));
    }
    if (!problems.length) {
      general.appendChild(formError(null, describeError(err), ""));
    }
    problems.forEach(function (p) {
      var key = fieldKey(p.field);
      if (key) {
        byId("rf-err-" + key).appendChild(formError(key, p.reason_zh, p.reason_en));
        var input = byId("rf-" + key);
        input.setAttribute("aria-invalid", "true");
        input.closest(".field").classList.add("has-error");
        if (!first) { first = input; }
      } else {
        general.appendChild(formError(p.field, (p.field ? "[" + p.field + "] " : "") + p.reason_zh, p.reason_en));
      }
    });
    if (first) { first.focus(); } else { general.scrollIntoView({ block: "nearest" }); }
  }

  function submitRecord(ev) {
    ev.preventDefault();
    clearFormErrors();
    byId("rf-result").hidden = true;
    var body = {
      subject: byId("rf-subject").value.trim(),
      item: byId("rf-item").value,
      act_date: byId("rf-act_date").value,
      department: byId("rf-department").value,
      source_ref: byId("rf-source_ref").value.trim()
    };
    var note = byId("rf-note").value.trim();
    if (note) { body.note = note; }
    var btn = byId("rf-submit");
    var status = byId("rf-status");
    btn.disabled = true;
    status.textContent = getToken() ? "正在提交…" : "正在提交…(未设置接口令牌,服务器可能拒绝)";
    byId("view-enter").setAttribute("data-state", "submitting");
    api("/records", { method: "POST", body: body }).then(function (rec) {
      btn.disabled = false;
      status.textContent = "已提交";
      byId("view-enter").setAttribute("data-state", "submitted");
      renderResult(rec || {}, body);
      byId("rf-source_ref").value = "";
      byId("rf-note").value = "";
    }, function (e) {
      btn.disabled = false;
      status.textContent = "提交未成功,请检查标注的字段";
      byId("view-enter").setAttribute("data-state", "error");
      showFormErrors(e);
    });
  }

  function renderResult(rec, body) {
    var ev = rec.evaluation || {};
    var subject = rec.subject || body.subject;
    byId("rf-result-id").textContent = rec.id === undefined ? "—" : "#" + rec.id;
    byId("rf-result-id").setAttribute("data-value", rec.id === undefined ? "" : String(rec.id));
    byId("rf-result-subject").textContent = subject || "—";
    byId("rf-result-scope").textContent = industryName(ev.industry);
    var flags = clear(byId("rf-result-flags"));
    if (rec.due_date) { append(flags, [" · 填报期限 ", rec.due_date]); }
    if (rec.due_provisional) { append(flags, [" ", h("span", { class: "tag tag-provisional", text: "预估" })]); }
    if (rec.late) { append(flags, [" ", h("span", { class: "tag tag-late", text: "逾期" })]); }
    var sc = byId("rf-result-score");
    sc.textContent = fmtNum(ev.score);
    sc.setAttribute("data-value", isNum(ev.score) ? String(ev.score) : "");
    sc.setAttribute("data-grade", gradeOf(ev.grade));
    setBadge(byId("rf-result-grade"), ev.grade, gradeOf(ev.grade));
    setBadge(byId("rf-result-level"), ev.level, gradeOf(ev.level));
    setFused(byId("rf-result-fused"), ev.fused === undefined ? null : !!ev.fused);
    byId("rf-result-link").setAttribute("href", hashFor("subject", [subject], ev.industry ? { industry: ev.industry } : {}));
    byId("rf-result").hidden = false;
    byId("rf-result").scrollIntoView({ block: "nearest" });
  }

  var lookupSeq = 0;
  function lookupSubject() {
    var code = byId("rf-subject").value.trim();
    var hint = byId("rf-subject-hint");
    var seq = ++lookupSeq;
    hint.className = "hint";
    if (!code) { hint.textContent = ""; return; }
    hint.textContent = "正在查询评价对象…";
    api("/subjects/" + encodeURIComponent(code)).then(function (sub) {
      if (seq !== lookupSeq) { return; }
      sub = sub || {};
      var inds = Array.isArray(sub.industries) ? sub.industries : [];
      hint.textContent = (sub.name || "—") + " · " + kindName(sub.kind) + " · 所属行业:" + (inds.length ? inds.map(industryName).join("、") : "无");
      hint.className = "hint hint-ok";
    }, function (e) {
      if (seq !== lookupSeq) { return; }
      hint.textContent = e instanceof ApiError && e.status === 404 ? "未找到该评价对象(提交时以服务器校验为准)" : "查询评价对象失败:" + describeError(e);
      hint.className = "hint hint-warn";
    });
  }

  function syncItemHint() {
    var hint = byId("rf-item-hint");
    var it = ref.itemMap[byId("rf-item").value];
    clear(hint);
    if (!it) { return; }
    append(hint, [
      h("span", { class: "tag " + (it.polarity === "good" ? "tag-good" : "tag-bad"), text: it.polarity === "good" ? "加分" : "减分" }),
      " ", it.family === "general" ? "通用指标" : "行业指标 · " + industryName(it.industry),
      " · 每次 ", fmtSigned(it.points, it.polarity), " 分",
      it.cap !== null && it.cap !== undefined ? " · 周期上限 " + fmtNum(it.cap) + " 分" : "",
      it.fuse ? [" ", h("span", { class: "tag tag-fused", text: "熔断" })] : null,
      it.heavier ? [" ", h("span", { class: "tag tag-heavier", text: "较重" })] : null,
      it.article ? [h("br"), h("span", { class: "muted", text: "依据:" + it.article })] : null
    ]);
  }

  /* ------------------------------------------------------------------ wiring */

  function init() {
    // token
    var tokenInput = byId("token-input");
    tokenInput.value = getToken();
    syncTokenStatus();
    tokenInput.addEventListener("input", function () { setToken(tokenInput.value.trim()); });
    // reads send the token too (full resident IDs for permitted roles): reload the view once editing is done
    tokenInput.addEventListener("change", function () { if (current.name !== "enter") { route(); } });
    byId("token-toggle").addEventListener("click", function () {
      var show = tokenInput.type === "password";
      tokenInput.type = show ? "text" : "password";
      this.textContent = show ? "隐藏" : "显示";
      this.setAttribute("aria-pressed", String(show));
    });
    byId("token-clear").addEventListener("click", function () {
      tokenInput.value = "";
      setToken("");
      tokenInput.focus();
      if (current.name !== "enter") { route(); }
    });

    byId("error-clear").addEventListener("click", clearErrors);

    // overview
    byId("ov-scope").addEventListener("change", function () {
      go("overview", [], { industry: this.value });
    });

    // subjects
    byId("subj-search").addEventListener("submit", function (ev) {
      ev.preventDefault();
      go("subjects", [], { q: byId("subj-q").value.trim(), grade: byId("subj-grade").value, industry: byId("subj-industry").value });
    });
    byId("subj-reset").addEventListener("click", function () { go("subjects", [], {}); });
    function searchNow() {
      go("subjects", [], { q: byId("subj-q").value.trim(), grade: byId("subj-grade").value, industry: byId("subj-industry").value });
    }
    byId("subj-grade").addEventListener("change", searchNow);
    byId("subj-industry").addEventListener("change", searchNow);

    // detail
    byId("sd-controls").addEventListener("submit", function (ev) { ev.preventDefault(); });
    byId("sd-scope").addEventListener("change", function () { go("subject", [current.args[0] || ""], detailParamsFromControls()); });
    byId("sd-asof").addEventListener("change", function () {
      this.removeAttribute("data-auto");
      go("subject", [current.args[0] || ""], detailParamsFromControls());
    });
    byId("sd-asof-today").addEventListener("click", function () {
      byId("sd-asof").value = "";
      go("subject", [current.args[0] || ""], detailParamsFromControls());
    });
    byId("withdraw-form").addEventListener("submit", submitWithdraw);
    byId("wd-cancel").addEventListener("click", closeWithdraw);
    byId("wd-reason").addEventListener("input", function () { clear(byId("wd-error")); });
    byId("withdraw-dialog").addEventListener("close", function () { clear(byId("wd-error")); withdrawId = null; });
    byId("token-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (current.name !== "enter") { route(); }
    });

    // sign-in (122号 第四条 roles): POST /login returns a short-lived token, kept where the token field keeps it
    function signedIn(r) {
      byId("login-password").value = "";
      setToken(r.token);
      tokenInput.value = r.token;
      byId("login-status").textContent = r.username + " · " + r.role + (r.department ? " · " + r.department : "") +
        " · 有效至 " + String(r.expires_at).replace("T", " ");
      byId("logout-button").hidden = false;
      if (current.name !== "enter") { route(); }
    }
    byId("login-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var u = byId("login-username").value.trim();
      var p = byId("login-password").value;
      if (!u || !p) { byId("login-status").textContent = "请输入用户名和密码"; return; }
      byId("login-status").textContent = "正在登录…";
      api("/login", { method: "POST", body: { username: u, password: p } }).then(signedIn, function (e) {
        byId("login-password").value = "";
        byId("login-status").textContent = describeError(e);
      });
    });
    byId("logout-button").addEventListener("click", function () {
      function done() {
        setToken("");
        tokenInput.value = "";
        byId("login-status").textContent = "已退出";
        byId("logout-button").hidden = true;
        if (current.name !== "enter") { route(); }
      }
      api("/logout", { method: "POST" }).then(done, done);
    });

    // standards
    byId("std-impact-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      go("standards", [current.args[0] || ""], { as_of: byId("std-asof").value });
    });
    byId("std-impact-csv").addEventListener("click", downloadImpactCsv);

    // enter
    byId("record-form").addEventListener("submit", submitRecord);
    byId("rf-reset").addEventListener("click", function () {
      byId("record-form").reset();
      byId("rf-act_date").value = today();
      clearFormErrors();
      byId("rf-subject-hint").textContent = "";
      byId("rf-status").textContent = "";
      byId("rf-result").hidden = true;
      syncItemHint();
    });
    byId("rf-subject").addEventListener("change", lookupSubject);
    byId("rf-item").addEventListener("change", syncItemHint);
    FORM_FIELDS.forEach(function (f) {
      byId("rf-" + f).addEventListener("input", function () {
        clear(byId("rf-err-" + f));
        this.removeAttribute("aria-invalid");
        this.closest(".field").classList.remove("has-error");
      });
    });

    window.addEventListener("hashchange", route);
    window.addEventListener("unhandledrejection", function (ev) { showError("未处理的错误", ev.reason); });
    loadReference();
    route();
    document.body.setAttribute("data-ready", "true");
  }

  window.XY = {
    api: api, h: h, byId: byId, clear: clear, append: append, settle: settle, qs: qs, today: today,
    getToken: getToken, describeError: describeError, formError: formError, showError: showError,
    stale: stale, route: route, setBadge: setBadge, departmentName: departmentName, hooks: hooks,
    ApiError: ApiError,
    // for the pages of other domains (cases, commitments, supervision)
    addView: addView, go: go, hashFor: hashFor, setState: setState, industryName: industryName,
    reference: function () { return loadReference().then(function () { return ref; }); }
  };

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
