/* 异议与修复 (122号 第十八条; spec D1-36, G1-07): what the case pages share — names, the due-date cell with its
 * overdue flag, refusals shown next to the form that caused them, who is signed in, and which actions the state and
 * the role allow. The API decides every action (403 / 409 / 422); this only decides which forms to offer.
 * Loaded after app.js; cases_queue.js and case_page.js use it as XY.cases (plain ES2017, no dependencies).
 */
(function () {
  "use strict";

  var XY = window.XY;
  var h = XY.h, clear = XY.clear;

  var KIND = { objection: "异议", repair: "信用修复" };
  var CHANNEL = { credit_china_beijing: "信用中国(北京)", commission: "市规划自然资源委", portal: "本人(门户)" };
  // the states of D1-36 in their order; each case also carries its own state_zh from the API
  var STATES = ["received", "routed", "under_verification", "opinion_issued", "reported_to_credit_authority",
    "repaired", "rejected", "closed"];
  var STATE_ZH = {
    received: "已受理", routed: "已转办", under_verification: "核实中", opinion_issued: "已出具审核意见",
    reported_to_credit_authority: "已反馈市信用主管部门", repaired: "已修复", rejected: "不予支持", closed: "已结案"
  };
  var OPEN = STATES.slice(0, 5); // steps with a deadline (G1-07); material still comes in until resolved
  var OUTCOME = { upheld: "成立", rejected: "不成立" };
  var REMEDY = { withdraw: "撤销记录", correct: "更正记录" };

  // who may do what (auth/policy.py: cases.intake, cases.verify, cases.file); the server checks it again
  var ROLES = {
    intake: ["admin", "hall"],
    verify: ["admin", "coordinator", "business"],
    file: ["admin", "coordinator", "hall", "subject"],
    read: ["admin", "coordinator", "business", "hall", "support", "leader", "subject"]
  };
  var ACTIONS = {
    route: { from: ["received"], who: "intake" },
    accept: { from: ["routed"], who: "verify" },
    extend: { from: ["routed", "under_verification"], who: "verify" },
    opinion: { from: ["under_verification"], who: "verify" },
    report: { from: ["opinion_issued"], who: "intake" },
    resolve: { from: ["reported_to_credit_authority"], who: "intake" },
    close: { from: ["repaired", "rejected"], who: "intake" },
    evidence: { from: OPEN, who: "file" }
  };

  function may(group, who) { return !!(who && who.authenticated && ROLES[group].indexOf(who.role) >= 0); }

  /** May `who` take `action` on case `c` now? (state of D1-36, role, and the routed department for a business) */
  function allowed(action, c, who) {
    var a = ACTIONS[action];
    if (!a || !c || a.from.indexOf(c.state) < 0 || !may(a.who, who)) { return false; }
    if (a.who === "verify" && who.role === "business" && who.department !== c.department) { return false; }
    if (action === "extend" && c.extended) { return false; } // once only (G1-07); a stale page still gets the 409
    return true;
  }

  /** GET /api/v1/me for the token in use ({authenticated: false} without one). */
  function me() {
    if (!XY.signedIn()) { return Promise.resolve({ authenticated: false }); }
    return XY.api("/me").then(function (d) { return d || { authenticated: false }; },
      function () { return { authenticated: false }; });
  }

  function stateTag(c) {
    return h("span", { class: "tag case-state case-state-" + c.state, "data-testid": "case-row-state", "data-state": c.state,
      text: c.state_zh || STATE_ZH[c.state] || c.state });
  }

  /** The deadline of the current step (working days, G1-07) with its flags: 预估 (calendar not published), 逾期. */
  function dueCell(c) {
    var cell = h("span", { class: "case-due", "data-testid": "case-due-cell", "data-due": c.due_on || "", "data-overdue": String(!!c.overdue) },
      c.due_on || "—");
    if (c.due_on && c.due_provisional) {
      XY.append(cell, [" ", h("span", { class: "tag tag-provisional", title: "期限按预估的节假日安排计算", text: "预估" })]);
    }
    if (c.overdue) {
      XY.append(cell, [" ", h("span", { class: "tag tag-late", "data-testid": "case-overdue", title: "当前环节已超过办理期限", text: "逾期" })]);
    }
    if (c.extended) { XY.append(cell, [" ", h("span", { class: "tag tag-provisional", "data-testid": "case-extended-tag", text: "已延期" })]); }
    return cell;
  }

  function targetText(c) {
    if (c.record_id !== null && c.record_id !== undefined) { return "信用记录 #" + c.record_id; }
    if (c.listing_id !== null && c.listing_id !== undefined) { return "名单记录 #" + c.listing_id; }
    if (c.industry) { return "评价结果 · " + (c.industry === "general" ? "通用评价" : XY.industryName(c.industry)); }
    return "—";
  }

  function problemsOf(e) {
    if (e instanceof XY.ApiError && e.problems.length) {
      var head = e.status === 403 ? "无权办理:" : e.status === 409 ? "当前状态不允许:" : "";
      return e.problems.map(function (p) { return { field: p.field, zh: head + p.reason_zh, en: p.reason_en }; });
    }
    return [{ field: null, zh: XY.describeError(e), en: "" }];
  }

  /** Show a refusal next to its form: each problem in the box whose data-field names its field (422 per field),
   * the others (403, 409 naming the state, network) in the form's general box. */
  function showProblems(form, e) {
    clearProblems(form);
    var general = form.querySelector(".form-errors-general, .action-errors");
    problemsOf(e).forEach(function (p) {
      var box = null;
      if (p.field) {
        var boxes = form.querySelectorAll("[data-field]");
        for (var i = 0; i < boxes.length; i++) {
          if ((" " + boxes[i].getAttribute("data-field") + " ").indexOf(" " + p.field + " ") >= 0) { box = boxes[i]; break; }
        }
      }
      var el = XY.formError(p.field, (p.field && !box ? "[" + p.field + "] " : "") + p.zh, p.en);
      if (e instanceof XY.ApiError) { el.setAttribute("data-status", String(e.status)); }
      (box || general || form).appendChild(el);
    });
    var first = form.querySelector("[data-testid=form-error]");
    if (first && first.scrollIntoView) { first.scrollIntoView({ block: "nearest" }); }
  }

  function clearProblems(form) {
    var boxes = form.querySelectorAll(".field-errors, .form-errors-general, .action-errors");
    for (var i = 0; i < boxes.length; i++) { clear(boxes[i]); }
  }

  XY.cases = {
    KIND: KIND, CHANNEL: CHANNEL, STATES: STATES, STATE_ZH: STATE_ZH, OUTCOME: OUTCOME, REMEDY: REMEDY,
    may: may, allowed: allowed, me: me, stateTag: stateTag, dueCell: dueCell, targetText: targetText,
    showProblems: showProblems, clearProblems: clearProblems
  };
}());
