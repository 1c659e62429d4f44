/* 监督检查计划 (122号 第二十二条, 第二十五条; 44号 Task 12; spec G1-09): the plans (GET /api/v1/inspection-plans,
 * public), one plan with its population, the whitelisted subjects left out (无事不扰), the quota per grade, the draw
 * and its inspectors, and the recipe anyone can re-compute it with from the seed; a plan never changes once drawn.
 * Staff who plan draw a new one (POST /api/v1/inspection-plans). A card of #/supervision (supervision.js).
 */
(function () {
  "use strict";

  var XY = window.XY, S = XY.supervision;
  var h = XY.h, byId = XY.byId, clear = XY.clear;
  var cur = { ctx: null };

  function graded(list) { return (list || []).map(function (g) { return g.code + "(" + g.grade + ")"; }).join("、") || "无"; }

  function showPlan(p) {
    var box = byId("pl-detail");
    box.hidden = false;
    box.setAttribute("data-plan-id", String(p.id));
    byId("pl-title").textContent = "计划 #" + p.id + " · " + XY.departmentName(p.department) + " · " + XY.industryName(p.industry) +
      " · " + p.period_start + " 至 " + p.period_end;
    var meta = byId("pl-meta");
    meta.setAttribute("data-seed", p.seed);
    meta.setAttribute("data-digest", p.digest);
    meta.textContent = "种子 " + p.seed + " · 基础比例 " + p.base_ratio + " · 系数来源 " + p.factors_source + " · " + p.drawn_on + " 由 " +
      p.drawn_by + " 生成 · 摘要 SHA-256 " + p.digest;
    var qb = clear(byId("pl-quotas-tbody"));
    (p.quotas || []).forEach(function (q) {
      qb.appendChild(h("tr", { "data-testid": "pl-quota", "data-grade": q.grade, "data-count": q.count },
        h("td", { text: q.grade + (q.every_drawn ? "(全部抽取)" : "") }), h("td", { class: "num", text: q.factor }),
        h("td", { class: "num", text: q.ratio }), h("td", { class: "num", text: String(q.population) }), h("td", { class: "num", text: String(q.count) })));
    });
    var db = clear(byId("pl-draws-tbody"));
    if (!(p.draws || []).length) { db.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 4, text: "未抽取任何对象" }))); }
    (p.draws || []).forEach(function (d) {
      db.appendChild(h("tr", { "data-testid": "pl-draw", "data-code": d.code, "data-grade": d.grade },
        h("td", {}, h("code", { text: d.code })), h("td", { text: d.grade }), h("td", { text: d.reason }),
        h("td", { text: (d.inspectors || []).join("、") || "—" })));
    });
    byId("pl-population").textContent = "抽取总体 " + (p.population || []).length + " 个:" + graded(p.population) +
      ";无事不扰白名单排除 " + (p.whitelisted || []).length + " 个:" + graded(p.whitelisted) +
      ";检查人员名录:" + ((p.inspectors || []).join("、") || "无");
    byId("pl-recipe").textContent = p.recipe || "";
  }

  function open(id) {
    var box = clear(byId("pl-error"));
    return XY.api("/inspection-plans/" + encodeURIComponent(id)).then(showPlan, function (e) { S.problemsInto(box, e); });
  }

  function render(rows) {
    var tb = clear(byId("pl-tbody"));
    if (!rows.length) { tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 7, text: "尚无检查计划" }))); }
    rows.forEach(function (p) {
      tb.appendChild(h("tr", { "data-testid": "pl-row", "data-plan-id": p.id },
        h("td", {}, h("code", { text: "#" + p.id })), h("td", { text: XY.departmentName(p.department) }),
        h("td", { text: XY.industryName(p.industry) }), h("td", { text: p.period_start + " 至 " + p.period_end }),
        h("td", { class: "num", text: String(p.drawn) }), h("td", {}, h("code", { class: "hash", text: p.seed })),
        h("td", {}, h("button", { type: "button", class: "btn btn-small", "data-testid": "pl-view", "aria-label": "查看计划 " + p.id,
          onclick: function () { open(p.id); } }, "查看"))));
    });
  }

  function load(ctx) {
    cur.ctx = ctx;
    byId("pl-detail").hidden = true;
    var form = byId("pl-form");
    form.hidden = !S.may("plan", ctx.who);
    if (!form.hidden) {
      S.fillSelect(byId("pl-department"), (ctx.ref.departments || []).map(function (d) { return { code: d.code, name: d.name }; }));
      if (ctx.who.department) { byId("pl-department").value = ctx.who.department; }
      S.fillSelect(byId("pl-industry"), S.industries(ctx, false));
    }
    return XY.api("/inspection-plans").then(function (rows) { render(rows || []); });
  }

  function submit(ev) {
    ev.preventDefault();
    var box = clear(byId("pl-error"));
    var body = { department: byId("pl-department").value, industry: byId("pl-industry").value,
      period_start: byId("pl-period_start").value, period_end: byId("pl-period_end").value, base_ratio: byId("pl-base_ratio").value.trim() };
    var seed = byId("pl-seed").value.trim();
    if (seed) { body.seed = seed; }
    XY.api("/inspection-plans", { method: "POST", body: body }).then(function (p) {
      return load(cur.ctx).then(function () { showPlan(p); });
    }, function (e) { S.problemsInto(box, e); });
  }

  byId("pl-form").addEventListener("submit", submit);
  S.parts.push(load);
}());
