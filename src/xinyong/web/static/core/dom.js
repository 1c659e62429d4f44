/* 信用评价管理系统 — staff pages, shared core: DOM and format helpers, the error banner (京规自发〔2024〕122号).
 * Classic scripts sharing one namespace, window.XY (see README "Web"): core/*.js first, then app.js (router),
 * then one folder per domain. No build step, no network access except the same-origin API under /api/v1/. */
(function () {
  "use strict";

  var XY = window.XY = window.XY || {};
  var REQUEST_TIMEOUT_MS = 30000;
  // Grades, levels, names, bands and the measures' validity come from GET /api/v1/framework (parameters.yaml):
  // nothing of the framework is written here. Filled once by XY.loadFramework(); empty until then.
  var fw = { data: null, grades: [], levels: [], gradeName: {}, levelGrade: {} };
  var KIND = { organization: "组织", org: "组织", organisation: "组织", individual: "个人", person: "个人" };
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
      400: "请求有误", 401: "未登录或登录已超时,请重新登录", 403: "无权执行此操作",
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

  function settle(p) {
    return p.then(function (v) { return { ok: true, value: v }; }, function (e) { return { ok: false, error: e }; });
  }

  function ensureOption(sel, value, label) {
    if (!value) { return; }
    for (var i = 0; i < sel.options.length; i++) { if (sel.options[i].value === value) { return; } }
    sel.appendChild(h("option", { value: value, text: label }));
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

  Object.assign(XY, {
    fw: fw, REQUEST_TIMEOUT_MS: REQUEST_TIMEOUT_MS, byId: byId, h: h, append: append, clear: clear, isNum: isNum,
    fmtNum: fmtNum, fmtSigned: fmtSigned, pct: pct, today: today, gradeOf: gradeOf, bandText: bandText,
    badge: badge, setBadge: setBadge, setFused: setFused, isMasked: isMasked, kindName: kindName,
    nationalName: nationalName, setState: setState, showError: showError, clearErrors: clearErrors,
    ApiError: ApiError, normaliseDetail: normaliseDetail, statusText: statusText, describeError: describeError,
    settle: settle, ensureOption: ensureOption, formError: formError
  });
}());
