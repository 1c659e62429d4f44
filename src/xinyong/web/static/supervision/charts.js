/* 分级分类监管 charts (issue 9 item 6; 122号 第十七条, 44号 Task 12): grade distribution per industry over time
 * (from the monthly ranking snapshots) and inspections planned vs done by grade (GET /reports/inspections). */
(function () {
  "use strict";

  var XY = window.XY, byId = XY.byId, h = XY.h, clear = XY.clear;
  var SV = XY.supervision;
  var snapshots = [];

  function drawTrend() {
    var industry = byId("sv-trend-industry").value;
    var rows = snapshots.filter(function (r) { return r.industry === industry; })
      .sort(function (a, b) { return String(a.as_of).localeCompare(String(b.as_of)); });
    var el = byId("sv-trend-chart");
    el.hidden = !rows.length;
    byId("sv-trend-note").textContent = rows.length ? "" : "该行业尚无排行榜快照。";
    if (!rows.length) { return; }
    var grades = XY.fw.grades.slice();
    var days = rows.map(function (r) { return String(r.as_of) + (r.status === "published" ? "" : " (草稿)"); });
    var counts = rows.map(function (r) {
      var c = {};
      (r.entries || []).forEach(function (e) { c[e.grade] = (c[e.grade] || 0) + 1; });
      return c;
    });
    XY.chart(el, XY.bars(days, grades.map(function (g) {
      return { name: g, data: counts.map(function (c) { return c[g] || 0; }), itemStyle: { color: XY.gradeColor(g) } };
    }), { stack: true, rotate: days.length > 6 ? 30 : 0, yName: "对象数" }),
      { caption: XY.industryName(industry) + " 各期排行榜的等级分布", columns: ["日期 等级", "数量"],
        items: [].concat.apply([], days.map(function (d, i) {
          return grades.map(function (g) { return { kind: "grade", scope: String(rows[i].as_of), key: g, count: counts[i][g] || 0, cells: [d + " " + g, String(counts[i][g] || 0)] }; });
        })) });
  }

  function drawInspections(rep) {
    var rows = rep.by_grade || [];
    XY.chart(byId("sv-insp-chart"), XY.bars(rows.map(function (r) { return r.grade; }), [
      { name: "计划", data: rows.map(function (r) { return r.planned; }), itemStyle: { color: "#8fb3de" } },
      { name: "完成", data: rows.map(function (r) { return r.done; }), itemStyle: { color: "#1d4f91" } },
      { name: "计划外", data: rows.map(function (r) { return r.unplanned; }), itemStyle: { color: "#e08a00" } }
    ], { yName: "次数" }), { caption: rep.year + " 年 " + XY.departmentName(rep.department) + " 按等级计划与完成的检查",
      columns: ["等级", "计划", "完成", "计划外"],
      items: rows.map(function (r) { return { kind: "inspections", key: r.grade, count: r.done, cells: [r.grade, String(r.planned), String(r.done), String(r.unplanned)] }; }) });
  }

  function part(ctx, seq) {
    var card = byId("sv-charts");
    card.hidden = !ctx.who.authenticated;
    if (!ctx.who.authenticated) { return null; }
    var year = XY.today().slice(0, 4);
    var dept = ctx.who.department || (ctx.ref.departments[0] || {}).code || "";
    var jobs = [XY.settle(XY.api("/rankings")), dept ? XY.settle(XY.api("/reports/inspections" + XY.qs({ department: dept, year: year }))) : Promise.resolve(null)];
    return Promise.all(jobs).then(function (res) {
      if (XY.stale(seq)) { return; }
      snapshots = res[0].ok && Array.isArray(res[0].value) ? res[0].value : [];
      var sel = clear(byId("sv-trend-industry"));
      var seen = {};
      snapshots.forEach(function (r) {
        if (!seen[r.industry]) { seen[r.industry] = true; sel.appendChild(h("option", { value: r.industry, text: XY.industryName(r.industry) })); }
      });
      if (!sel.options.length) { sel.appendChild(h("option", { value: "", text: "无排行榜" })); }
      drawTrend();
      var ok = res[1] && res[1].ok;
      byId("sv-insp-chart").hidden = !ok;
      byId("sv-insp-note").textContent = ok ? "" : "本角色无权查看检查统计 (inspections.plan)。";
      if (ok) { drawInspections(res[1].value); }
    });
  }

  byId("sv-trend-industry").addEventListener("change", drawTrend);
  SV.parts.push(part);
}());
