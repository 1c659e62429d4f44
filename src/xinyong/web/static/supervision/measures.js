/* 措施清单 (122号 第二十条, 第二十一条, 第二十四条): the versions of GET /api/v1/measures with their status (draft →
 * approved by the leader in charge → filed with the coordinating department → in force → superseded) and the
 * yearly-update reminder; approve (POST …/approve, leader signed in), file (POST …/file, coordinating department),
 * and a one-line draft (POST /api/v1/measures). A card of #/supervision (supervision.js).
 */
(function () {
  "use strict";

  var XY = window.XY, S = XY.supervision;
  var h = XY.h, byId = XY.byId, clear = XY.clear;
  var STATUS = { draft: "草案", approved: "已审核待备案", filed: "已备案待施行", in_force: "施行中", superseded: "已替代" };
  var cur = { ctx: null };

  function button(text, testid, id, onclick) {
    return h("button", { type: "button", class: "btn btn-small", "data-testid": testid, "data-list-id": id, onclick: onclick }, text);
  }

  function act(id, step, body) {
    var box = clear(byId("ms-action-error"));
    return XY.api("/measures/" + id + "/" + step, { method: "POST", body: body }).then(function () { return load(cur.ctx); },
      function (e) { S.problemsInto(box, e); });
  }

  function showEntries(m) {
    byId("ms-detail").hidden = false;
    byId("ms-detail-title").textContent = "清单 #" + m.id + " · " + S.industryName(m.industry) + " · " + (S.KIND[m.kind] || m.kind) + " · 第 " + m.version + " 版";
    var tb = clear(byId("ms-entries-tbody"));
    m.entries.forEach(function (e) {
      tb.appendChild(h("tr", { "data-testid": "ms-entry" },
        h("td", { text: e.grade + (e.level ? " / " + e.level : "") }), h("td", { text: S.PROCESS[e.process] || e.process }),
        h("td", { text: e.item }), h("td", { text: e.basis }), h("td", { text: e.category }),
        h("td", { text: XY.departmentName(e.department) })));
    });
  }

  function render(rows, who) {
    var tb = clear(byId("ms-tbody"));
    if (!rows.length) { tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 8, text: "没有符合条件的措施清单" }))); }
    rows.forEach(function (m) {
      var actions = [button("查看", "ms-view", m.id, function () { showEntries(m); })];
      if (m.status === "draft" && S.may("approve", who)) {
        actions.push(" ", button("审核同意", "ms-approve", m.id, function () { act(m.id, "approve"); }));
      }
      if (m.status === "approved" && S.may("file", who)) {
        actions.push(" ", button("备案", "ms-file", m.id, function () { act(m.id, "file", {}); }));
      }
      tb.appendChild(h("tr", { "data-testid": "ms-row", "data-list-id": m.id, "data-status": m.status },
        h("td", {}, h("code", { text: "#" + m.id })),
        h("td", { text: S.industryName(m.industry) }),
        h("td", { text: S.KIND[m.kind] || m.kind }),
        h("td", { class: "num", text: String(m.version) }),
        h("td", {}, h("span", { class: "tag tag-status-" + m.status, "data-testid": "ms-status-tag", text: STATUS[m.status] || m.status })),
        h("td", { text: m.effective_from || "—" }),
        h("td", {}, m.update_due || "—", m.stale ? [" ", h("span", { class: "tag tag-late", title: "122号 第二十四条 原则上每年更新一次", text: "应更新" })] : null),
        h("td", {}, actions)));
    });
    byId("ms-note").textContent = "共 " + rows.length + " 个版本";
  }

  function load(ctx) {
    cur.ctx = ctx;
    var card = byId("sv-measures");
    card.setAttribute("data-state", "loading");
    S.fillSelect(byId("ms-industry"), S.industries(ctx, true), "全部");
    byId("ms-detail").hidden = true;
    var form = byId("ms-draft-form");
    form.hidden = !S.may("draft", ctx.who);
    if (!form.hidden) { fillDraft(ctx); }
    if (!ctx.who.authenticated) {
      clear(byId("ms-tbody"));
      byId("ms-note").textContent = "登录后可查看措施清单;统筹部门汇总的清单向社会公开。";
      card.setAttribute("data-state", "ready");
      return;
    }
    var q = { industry: byId("ms-industry").value, kind: byId("ms-kind").value, status: byId("ms-status").value };
    return XY.api("/measures" + XY.qs(q)).then(function (rows) {
      render(rows || [], ctx.who);
      card.setAttribute("data-state", "ready");
    }, function (e) {
      clear(byId("ms-tbody"));
      byId("ms-note").textContent = "无法加载措施清单:" + XY.describeError(e);
      card.setAttribute("data-state", "error");
    });
  }

  function fillDraft(ctx) {
    S.fillSelect(byId("ms-d-industry"), S.industries(ctx, true));
    S.fillSelect(byId("ms-d-process"), S.options(S.PROCESS));
    var dep = byId("ms-d-department");
    S.fillSelect(dep, (ctx.ref.departments || []).map(function (d) { return { code: d.code, name: d.name }; }));
    if (ctx.who.department && !dep.getAttribute("data-touched")) { dep.value = ctx.who.department; }
    return S.grades().then(function (gs) { S.fillSelect(byId("ms-d-grade"), gs.map(function (g) { return { code: g, name: g }; })); });
  }

  function submitDraft(ev) {
    ev.preventDefault();
    var box = clear(byId("ms-d-errors"));
    var entry = { grade: byId("ms-d-grade").value, process: byId("ms-d-process").value, item: byId("ms-d-item").value.trim(),
      basis: byId("ms-d-basis").value.trim(), category: byId("ms-d-category").value.trim(), department: byId("ms-d-department").value };
    XY.api("/measures", { method: "POST", body: { industry: byId("ms-d-industry").value, kind: byId("ms-d-kind").value, entries: [entry] } })
      .then(function () {
        ["ms-d-item", "ms-d-basis", "ms-d-category"].forEach(function (id) { byId(id).value = ""; });
        return load(cur.ctx);
      }, function (e) { S.problemsInto(box, e); });
  }

  function init() {
    byId("ms-filter").addEventListener("submit", function (ev) { ev.preventDefault(); if (cur.ctx) { load(cur.ctx); } });
    byId("ms-draft-form").addEventListener("submit", submitDraft);
    byId("ms-d-department").addEventListener("change", function () { this.setAttribute("data-touched", "1"); });
  }

  init();
  S.parts.push(load);
}());
