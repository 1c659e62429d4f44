/* 决策查询 (122号 第二十二条, 第二十三条, 第二十五条): GET /api/v1/decisions?subject=&process=&industry= → the
 * subject's grade, level and fuse, the measures of the lists in force for that process, and the warnings (open
 * objections, open or broken commitments, listings). Every look-up is logged by the server (who, which process,
 * what was answered). A card of #/supervision (supervision.js).
 */
(function () {
  "use strict";

  var XY = window.XY, S = XY.supervision;
  var h = XY.h, byId = XY.byId, clear = XY.clear;

  function load(ctx) {
    S.fillSelect(byId("dc-process"), S.options(S.PROCESS));
    S.fillSelect(byId("dc-industry"), S.industries(ctx, false), "通用评价");
  }

  function render(d) {
    byId("dc-result").hidden = false;
    var sum = byId("dc-summary");
    sum.setAttribute("data-grade", d.grade);
    sum.setAttribute("data-level", d.level);
    sum.setAttribute("data-fused", String(!!d.fused));
    sum.setAttribute("data-log-id", String(d.log_id));
    sum.textContent = (d.name || "") + " " + d.subject + " · " + (S.PROCESS[d.process] || d.process) + " · 评价范围 " +
      (d.industry ? XY.industryName(d.industry) : "通用评价") + " · 基准日 " + d.as_of + " · 分值 " + d.score + " · 等级 " + d.grade +
      " · 级别 " + d.level + (d.fused ? " · 熔断" : "") + " · 查询记录 #" + d.log_id;
    var ul = clear(byId("dc-warnings"));
    (d.warnings || []).forEach(function (w) {
      ul.appendChild(h("li", { "data-testid": "dc-warning", "data-code": w.code }, h("strong", { text: w.reason_zh }),
        w.reason_en ? [" ", h("small", { lang: "en", text: w.reason_en })] : null, w.ref ? h("span", { class: "muted", text: " (" + w.ref + ")" }) : null));
    });
    var tb = clear(byId("dc-measures-tbody"));
    if (!(d.measures || []).length) { tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 6, text: "该场景下没有适用的措施" }))); }
    (d.measures || []).forEach(function (m) {
      tb.appendChild(h("tr", { "data-testid": "dc-measure", "data-kind": m.kind },
        h("td", {}, h("span", { class: "tag " + (m.kind === "incentive" ? "tag-good" : "tag-bad"), text: S.KIND[m.kind] || m.kind })),
        h("td", { text: m.item }), h("td", { text: m.basis }), h("td", { text: m.category }),
        h("td", { text: XY.departmentName(m.department) }),
        h("td", { text: "#" + m.list_id + " · " + S.industryName(m.industry) + " · " + m.grade + (m.level ? "/" + m.level : "") })));
    });
  }

  function submit(ev) {
    ev.preventDefault();
    var box = clear(byId("dc-error"));
    byId("dc-result").hidden = true;
    var q = { subject: byId("dc-subject").value.trim(), process: byId("dc-process").value, industry: byId("dc-industry").value };
    if (!q.subject) { box.appendChild(XY.formError("subject", "请填写评价对象代码", "subject is required")); return; }
    XY.api("/decisions" + XY.qs(q)).then(render, function (e) { S.problemsInto(box, e); });
  }

  byId("dc-form").addEventListener("submit", submit);
  S.parts.push(load);
}());
