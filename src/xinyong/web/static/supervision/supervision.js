/* 分级分类监管 (122号 第十七条, 第二十条至第二十六条; 44号 Task 12). Route #/supervision: one page whose cards are
 * filled by measures.js (措施清单), decisions.js (决策查询), plans.js (监督检查计划) and rankings.js (排行榜); each
 * pushes its loader onto XY.supervision.parts. This file holds what they share and registers the view once all the
 * deferred scripts have run. The API decides every action (403 / 409 / 422); forms are offered by role only.
 */
(function () {
  "use strict";

  var XY = window.XY;
  var h = XY.h, byId = XY.byId, clear = XY.clear;
  // 122号 第二十五条 application scenarios (supervision/schemas.py Process)
  var PROCESS = {
    administrative_approval: "行政审批", qualification_review: "资质审核", procurement_bidding: "招标采购",
    award: "评先评优", standard_drafting: "标准制定", land_transaction: "土地交易", inspection: "监督检查"
  };
  var KIND = { punishment: "失信惩戒", incentive: "守信激励" };
  // auth/policy.py: measures.*, inspections.plan, rankings.* (mirrored to decide which forms to offer)
  var ROLES = {
    draft: ["admin", "coordinator", "business"], approve: ["leader"], file: ["admin", "coordinator"],
    plan: ["admin", "coordinator", "business"]
  };
  var parts = [];
  var framework = null;

  function may(action, who) { return !!(who && who.authenticated && ROLES[action].indexOf(who.role) >= 0); }

  /** Problems of a refusal into `box`, the field named in each ([field] reason). */
  function problemsInto(box, e) {
    clear(box);
    var list = e instanceof XY.ApiError && e.problems.length ? e.problems : [{ field: null, reason_zh: XY.describeError(e), reason_en: "" }];
    list.forEach(function (p) {
      var el = XY.formError(p.field, (p.field ? "[" + p.field + "] " : "") + p.reason_zh, p.reason_en);
      if (e instanceof XY.ApiError) { el.setAttribute("data-status", String(e.status)); }
      box.appendChild(el);
    });
  }

  /** Options [{code, name}] into a select, keeping its value when it is still there. */
  function fillSelect(sel, rows, first) {
    var keep = sel.value;
    clear(sel);
    if (first !== null && first !== undefined) { sel.appendChild(h("option", { value: "", text: first })); }
    rows.forEach(function (r) { sel.appendChild(h("option", { value: r.code, text: r.name })); });
    if (keep) { sel.value = keep; }
  }

  function industries(ctx, general) {
    var rows = (ctx.ref.industries || []).map(function (i) { return { code: i.code, name: i.name }; });
    return general ? [{ code: "general", name: "通用(统筹部门)" }].concat(rows) : rows;
  }

  function industryName(code) { return code === "general" ? "通用(统筹部门)" : XY.industryName(code); }

  /** The grades of the framework in force (GET /api/v1/framework): never written in the UI. */
  function grades() {
    if (!framework) {
      framework = XY.api("/framework").then(function (d) { return (d && d.grades || []).map(function (g) { return g.grade; }); },
        function (e) { framework = null; throw e; });
    }
    return framework;
  }

  function me() {
    if (!XY.signedIn()) { return Promise.resolve({ authenticated: false }); }
    return XY.api("/me").then(function (d) { return d || { authenticated: false }; }, function () { return { authenticated: false }; });
  }

  function show(r, seq) {
    XY.setState("supervision", "loading");
    document.title = "分级分类监管 · 信用评价管理系统";
    return Promise.all([XY.reference(), me()]).then(function (res) {
      if (XY.stale(seq)) { return; }
      var ctx = { ref: res[0], who: res[1], seq: seq };
      byId("sv-who").textContent = ctx.who.authenticated
        ? "当前身份:" + (ctx.who.name || "") + " · " + ctx.who.role + (ctx.who.department ? " · " + XY.departmentName(ctx.who.department) : "")
        : "登录后可查看措施清单、查询决策、生成检查计划和排行榜;检查计划公开可查。";
      return Promise.all(parts.map(function (fn) {
        return XY.settle(Promise.resolve().then(function () { return fn(ctx, seq); })).then(function (x) {
          if (!x.ok) { XY.showError("分级分类监管", x.error); }
        });
      }));
    }).then(function () { if (!XY.stale(seq)) { XY.setState("supervision", "ready"); } });
  }

  XY.supervision = {
    PROCESS: PROCESS, KIND: KIND, parts: parts, may: may, problemsInto: problemsInto, fillSelect: fillSelect,
    industries: industries, industryName: industryName, grades: grades,
    options: function (map) { return Object.keys(map).map(function (k) { return { code: k, name: map[k] + " " + k }; }); }
  };

  // the cards' scripts load after this one (defer, in order): register the view when all of them have run
  var registered = false;
  function register() { if (!registered) { registered = true; XY.addView("supervision", show); } }
  document.addEventListener("DOMContentLoaded", register);
  window.addEventListener("load", register);
}());
