/* 标准页:公开征求意见 (122号 第十二条 向社会公开征求意见). While a draft is under consultation anyone may
 * comment without signing in (POST /api/v1/standards/{v}/comments); the counts are public; staff see the
 * comments (GET …/comments) and the drafting department records a disposition for each one
 * (POST …/comments/{id}/disposition: 采纳 / 部分采纳 / 不予采纳 with the reason) before approval.
 * Hooks into app.js through window.XY (loaded after it, plain ES2017, no dependencies).
 */
(function () {
  "use strict";

  var XY = window.XY;
  var h = XY.h, byId = XY.byId, clear = XY.clear;
  var DECISION = { adopted: "采纳", partly_adopted: "部分采纳", not_adopted: "不予采纳" };
  var current = { version: null, seq: null };

  function commentsPath(version, rest) {
    return "/standards/" + encodeURIComponent(version) + "/comments" + (rest || "");
  }

  function problemsInto(box, e) {
    clear(box);
    var problems = e instanceof XY.ApiError && e.problems.length ? e.problems
      : [{ field: null, reason_zh: XY.describeError(e), reason_en: "" }];
    problems.forEach(function (p) { box.appendChild(XY.formError(p.field, (p.field ? "[" + p.field + "] " : "") + p.reason_zh, p.reason_en)); });
  }

  function renderCounts(d) {
    var by = d.by_decision || {};
    var parts = Object.keys(DECISION).map(function (k) { return DECISION[k] + " " + (by[k] || 0); });
    var el = byId("std-comment-counts");
    el.textContent = "共收到意见 " + d.total + " 条,待处理 " + d.pending + " 条(" + parts.join(",") + ")";
    el.setAttribute("data-total", String(d.total));
    el.setAttribute("data-pending", String(d.pending));
  }

  function dispositionForm(version, c) {
    var sel = h("select", { "aria-label": "意见 " + c.id + " 的处理结果", "data-testid": "disposition-decision" });
    Object.keys(DECISION).forEach(function (k) { sel.appendChild(h("option", { value: k, text: DECISION[k] })); });
    if (c.decision) { sel.value = c.decision; }
    var reason = h("input", { type: "text", maxlength: 2000, "aria-label": "意见 " + c.id + " 的处理理由", "data-testid": "disposition-reason", value: c.reason || "" });
    var box = h("div", { class: "field-errors", "aria-live": "assertive" });
    var form = h("form", { class: "inline-form", "data-testid": "disposition-form", novalidate: true },
      sel, " ", reason, " ", h("button", { type: "submit", class: "btn btn-small", "data-testid": "disposition-submit" }, "保存处理"), box);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!reason.value.trim()) {
        clear(box).appendChild(XY.formError("reason", "请填写处理理由", "reason is required"));
        return;
      }
      XY.api(commentsPath(version, "/" + encodeURIComponent(c.id) + "/disposition"), {
        method: "POST", body: { decision: sel.value, reason: reason.value.trim() }
      }).then(function () { load(version, current.seq); }, function (e) { problemsInto(box, e); });
    });
    return form;
  }

  function renderComments(version, comments) {
    var table = byId("comments-table");
    table.hidden = comments === null || comments === undefined;
    var tb = clear(byId("comments-tbody"));
    if (table.hidden) { return; }
    if (!comments.length) { tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 4, text: "尚未收到意见" }))); }
    comments.forEach(function (c) {
      var from = [c.name || "(未署名或不可见)"];
      if (c.contact) { from.push(h("div", { class: "muted", text: c.contact })); }
      from.push(h("div", { class: "muted", text: String(c.submitted_at || "").replace("T", " ").slice(0, 16) }));
      var decided = c.decision ? h("p", { "data-testid": "comment-decision", "data-decision": c.decision },
        h("span", { class: "tag tag-ok", text: DECISION[c.decision] || c.decision }), " ", c.reason || "",
        c.decided_by ? h("small", { class: "muted", text: "(" + c.decided_by + ")" }) : null)
        : h("p", { "data-testid": "comment-decision", "data-decision": "" }, h("span", { class: "tag tag-late", text: "待处理" }));
      tb.appendChild(h("tr", { "data-testid": "comment-row", "data-comment-id": c.id },
        h("td", {}, h("code", { text: "#" + c.id })),
        h("td", {}, from),
        h("td", { class: "note", text: c.text || "" }),
        h("td", {}, decided, dispositionForm(version, c))));
    });
  }

  function load(version, seq) {
    return XY.api(commentsPath(version)).then(function (d) {
      if (XY.stale(seq) || current.version !== version) { return; }
      renderCounts(d || { total: 0, pending: 0, by_decision: {} });
      renderComments(version, d ? d.comments : null);
      byId("std-comments").setAttribute("data-state", "ready");
    }, function (e) {
      if (XY.stale(seq)) { return; }
      byId("std-comment-counts").textContent = "无法加载意见:" + XY.describeError(e);
    });
  }

  /** app.js calls this with the standard shown (null on the list alone). */
  function onStandard(d, seq) {
    var card = byId("std-comments");
    var status = d && d.lifecycle ? d.lifecycle.status : null;
    var open = status === "consultation";
    current.version = d ? d.version : null;
    current.seq = seq;
    card.hidden = !d || !(open || (XY.signedIn() && status !== "draft"));
    card.setAttribute("data-state", "loading");
    byId("comment-form").hidden = !open;
    byId("cf-receipt").hidden = true;
    clear(byId("cf-error"));
    if (card.hidden) { return; }
    byId("std-comment-counts").textContent = "加载中…";
    load(d.version, seq);
  }

  function submitComment(ev) {
    ev.preventDefault();
    var box = clear(byId("cf-error"));
    var receipt = byId("cf-receipt");
    receipt.hidden = true;
    var body = { text: byId("cf-text").value.trim() };
    var name = byId("cf-name").value.trim();
    var contact = byId("cf-contact").value.trim();
    if (name) { body.name = name; }
    if (contact) { body.contact = contact; }
    if (!body.text) {
      box.appendChild(XY.formError("text", "请填写意见内容", "text is required"));
      byId("cf-text").focus();
      return;
    }
    var version = current.version;
    XY.api(commentsPath(version), { method: "POST", body: body }).then(function (r) {
      byId("cf-text").value = "";
      receipt.hidden = false;
      receipt.setAttribute("data-comment-id", String(r.id));
      receipt.textContent = "意见已提交(编号 #" + r.id + "),感谢您的参与。";
      load(version, current.seq);
    }, function (e) { problemsInto(box, e); });
  }

  function init() { byId("comment-form").addEventListener("submit", submitComment); }

  XY.hooks.standard.push(onStandard);
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
