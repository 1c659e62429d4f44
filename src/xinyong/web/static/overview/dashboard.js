/* 总览 Dashboard (122号 第十三条, 第十四条, 第八条(一), 第十八条): grade and level distribution per industry, the score
 * histogram, the trend over time, late entries by department and open cases by due date — ECharts. */
(function (XY) {
  "use strict";

  var h = XY.h, byId = XY.byId, clear = XY.clear, api = XY.api, qs = XY.qs, fw = XY.fw, ref = XY.ref;
  var fmtNum = XY.fmtNum, pct = XY.pct, isNum = XY.isNum, badge = XY.badge, gradeOf = XY.gradeOf;
  var setState = XY.setState, showError = XY.showError, industryName = XY.industryName, stale = XY.stale;
  var CLOSED = { repaired: true, rejected: true, closed: true };
  var BIN = 5; // score histogram bin width (points)

  function showOverview(r, seq) {
    var industry = r.query.get("industry") || "";
    setState("overview", "loading");
    document.title = "总览 · 信用评价管理系统";
    return XY.loadReference().then(function () {
      if (stale(seq)) { return; }
      var sel = byId("ov-scope");
      XY.ensureOption(sel, industry, industryName(industry) + "(行业评价)");
      sel.value = industry;
      var scopes = [""].concat(ref.industries.map(function (i) { return i.code; }));
      var dists = scopes.map(function (s) { return XY.settle(api("/stats/distribution" + qs({ industry: s }))); });
      var side = [
        XY.settle(api("/stats/scores" + qs({ industry: industry }))),
        XY.settle(api("/stats/trend" + qs({ industry: industry, months: 12 }))),
        XY.settle(api("/reports/lateness" + qs({ year: XY.today().slice(0, 4) }))),
        XY.signedIn() ? XY.settle(api("/cases" + qs({ limit: 1000 }))) : Promise.resolve(null)
      ];
      return Promise.all([Promise.all(dists), Promise.all(side)]).then(function (res) {
        if (stale(seq)) { return; }
        var d = res[0], s = res[1];
        var mine = d[scopes.indexOf(industry)] || d[0];
        if (!mine.ok) {
          renderCounts({ total: null, grades: {}, levels: {}, fused: null }, industry);
          setState("overview", "error");
          showError("加载等级分布失败", mine.error);
          return;
        }
        renderCounts(mine.value || {}, industry);
        perIndustry(scopes, d, industry);
        if (s[0].ok) { histogram(s[0].value); } else { showError("加载分值分布失败", s[0].error); }
        if (s[1].ok) { trend(s[1].value); } else { showError("加载走势失败", s[1].error); }
        if (s[2].ok) { lateness(s[2].value); } else { showError("加载逾期填报统计失败", s[2].error); }
        cases(s[3]);
        setState("overview", "ready");
      });
    });
  }

  function keysOf(order, counts) {
    var keys = order.slice();
    Object.keys(counts || {}).forEach(function (k) { if (keys.indexOf(k) < 0) { keys.push(k); } });
    return keys;
  }

  /** The stat cards and the counts table of the selected scope. */
  function renderCounts(dist, industry) {
    var grades = dist.grades || {}, levels = dist.levels || {};
    var total = isNum(dist.total) ? dist.total : null;
    byId("ov-total").textContent = total === null ? "—" : fmtNum(total);
    byId("ov-total").setAttribute("data-value", total === null ? "" : String(total));
    byId("ov-fused").textContent = isNum(dist.fused) ? fmtNum(dist.fused) : "—";
    byId("ov-fused").setAttribute("data-value", isNum(dist.fused) ? String(dist.fused) : "");
    byId("ov-scope-name").textContent = industryName(industry);
    var tb = clear(byId("dist-tbody"));
    var gradeKeys = keysOf(fw.grades, grades), levelKeys = keysOf(fw.levels, levels);
    gradeKeys.forEach(function (g, i) {
      var n = Number(grades[g] || 0);
      tb.appendChild(h("tr", { "data-kind": "grade", "data-key": g },
        i === 0 ? h("th", { scope: "rowgroup", rowspan: gradeKeys.length, text: "四等" }) : null,
        h("td", {}, badge(fw.gradeName[g] ? g + " " + fw.gradeName[g] : g, gradeOf(g))),
        h("td", { class: "num", text: fmtNum(n) }), h("td", { class: "num", text: pct(n, total) })));
    });
    levelKeys.forEach(function (l, i) {
      var n = Number(levels[l] || 0);
      tb.appendChild(h("tr", { "data-kind": "level", "data-key": l, class: i === 0 ? "group-start" : null },
        i === 0 ? h("th", { scope: "rowgroup", rowspan: levelKeys.length, text: "九级" }) : null,
        h("td", {}, badge(l, gradeOf(l))),
        h("td", { class: "num", text: fmtNum(n) }), h("td", { class: "num", text: pct(n, total) })));
    });
  }

  /** Grades (four classes) and levels (nine) stacked per scope: general evaluation and each industry. */
  function perIndustry(scopes, dists, selected) {
    var names = scopes.map(function (s) { return industryName(s); });
    var ok = dists.map(function (d) { return d.ok ? d.value || {} : {}; });
    var grades = fw.grades.slice(), levels = fw.levels.slice();
    function series(keys, field, color) {
      return keys.map(function (k) {
        return { name: k, data: ok.map(function (v) { return Number((v[field] || {})[k] || 0); }),
          itemStyle: { color: color(k) } };
      });
    }
    function rows(keys, field, kind) {
      var items = [];
      scopes.forEach(function (s, i) {
        keys.forEach(function (k) {
          var n = Number((ok[i][field] || {})[k] || 0);
          items.push({ kind: kind, scope: s || "general", key: k, count: n, cells: [names[i] + " " + k, String(n)] });
        });
      });
      return items;
    }
    var rotate = scopes.length > 4 ? 30 : 0;
    XY.chart(byId("dist-chart"), XY.bars(names, series(grades, "grades", XY.gradeColor), { stack: true, rotate: rotate, yName: "对象数" }),
      { caption: "各评价范围的信用等级分布", columns: ["范围 等级", "数量"], items: rows(grades, "grades", "grade") });
    byId("dist-chart").setAttribute("data-scope", selected || "general");
    XY.chart(byId("level-chart"), XY.bars(names, series(levels, "levels", function (l) { return XY.gradeColor(gradeOf(l)); }),
      { stack: true, rotate: rotate, yName: "对象数" }),
      { caption: "各评价范围的信用级别分布", columns: ["范围 级别", "数量"], items: rows(levels, "levels", "level") });
  }

  function histogram(data) {
    var bins = {};
    (data.scores || []).forEach(function (s) {
      var lo = Math.floor(s.score / BIN) * BIN;
      bins[lo] = (bins[lo] || 0) + s.count;
    });
    var los = Object.keys(bins).map(Number).sort(function (a, b) { return a - b; });
    var labels = los.map(function (lo) { return "[" + lo + "," + (lo + BIN) + ")"; });
    XY.chart(byId("score-hist"), XY.bars(labels, [{ name: "对象数", data: los.map(function (lo) { return bins[lo]; }),
      itemStyle: { color: "#1d4f91" } }], { yName: "对象数", rotate: los.length > 8 ? 30 : 0 }),
      { caption: "分值分布(每 " + BIN + " 分一组)", columns: ["分值区间", "数量"],
        items: los.map(function (lo, i) { return { kind: "bin", key: String(lo), count: bins[lo], cells: [labels[i], String(bins[lo])] }; }) });
  }

  function trend(data) {
    var months = (data.months || []).map(function (m) { return m.month; });
    var grades = fw.grades.slice();
    var option = {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 48, right: 48, top: 40, bottom: 32, containLabel: true },
      xAxis: { type: "category", data: months },
      yAxis: [{ type: "value", minInterval: 1, name: "对象数" }, { type: "value", minInterval: 1, name: "变化次数" }],
      series: grades.map(function (g) {
        return { type: "line", name: g, data: (data.months || []).map(function (m) { return (m.grades || {})[g] || 0; }),
          itemStyle: { color: XY.gradeColor(g) } };
      }).concat([
        { type: "bar", name: "上升", yAxisIndex: 1, barMaxWidth: 14, itemStyle: { color: "#4f9d57" },
          data: (data.months || []).map(function (m) { return m.upgrades; }) },
        { type: "bar", name: "下降", yAxisIndex: 1, barMaxWidth: 14, itemStyle: { color: "#d05a5a" },
          data: (data.months || []).map(function (m) { return m.downgrades; }) }])
    };
    XY.chart(byId("trend-chart"), option, { caption: "各月末等级分布及当月升降次数", columns: ["月份", "A/B/C/D", "上升", "下降"],
      items: (data.months || []).map(function (m) {
        var t = grades.map(function (g) { return (m.grades || {})[g] || 0; });
        return { kind: "month", key: m.month, count: t.reduce(function (a, b) { return a + b; }, 0),
          cells: [m.month, t.join("/"), String(m.upgrades), String(m.downgrades)] };
      }) });
  }

  function lateness(data) {
    var rows = (data.departments || []).filter(function (d) { return d.assessed > 0 || d.late > 0; });
    var names = rows.map(function (d) { return d.name; });
    XY.chart(byId("late-chart"), XY.bars(names, [
      { name: "按时", data: rows.map(function (d) { return d.assessed - d.late; }), itemStyle: { color: "#8fb3de" } },
      { name: "逾期", data: rows.map(function (d) { return d.late; }), itemStyle: { color: "#c62828" } }
    ], { stack: true, rotate: rows.length > 4 ? 30 : 0, yName: "记录数" }),
      { caption: data.year + " 年各部门逾期填报(人工录入和导入)", columns: ["部门", "逾期", "应按时填报", "逾期率"],
        items: rows.map(function (d) {
          return { kind: "late", key: d.department, count: d.late, cells: [d.name, String(d.late), String(d.assessed), pct(d.late, d.assessed)] };
        }) });
    byId("late-note").textContent = data.year + " 年:人工录入和导入记录 " + data.assessed + " 条,逾期 " + data.late + " 条 (122号 第八条(一))。";
  }

  /** Open cases (objections and repairs) by the due date of their current step; staff only. */
  function cases(res) {
    var note = byId("cases-note");
    var el = byId("cases-chart");
    if (!res || !res.ok) {
      el.hidden = true;
      note.textContent = res ? "无权查看案件队列。" : "登录后可查看待办案件。Sign in to see open cases.";
      return;
    }
    var byDay = {};
    (res.value || []).forEach(function (c) {
      if (CLOSED[c.state]) { return; }
      var d = c.due_on || "无期限";
      byDay[d] = byDay[d] || { open: 0, overdue: 0 };
      byDay[d][c.overdue ? "overdue" : "open"] += 1;
    });
    var days = Object.keys(byDay).sort();
    el.hidden = !days.length;
    note.textContent = days.length ? "" : "没有待办案件。";
    if (!days.length) { return; }
    XY.chart(el, XY.bars(days, [
      { name: "未到期", data: days.map(function (d) { return byDay[d].open; }), itemStyle: { color: "#1d4f91" } },
      { name: "已逾期", data: days.map(function (d) { return byDay[d].overdue; }), itemStyle: { color: "#c62828" } }
    ], { stack: true, rotate: days.length > 6 ? 30 : 0, yName: "案件数" }),
      { caption: "待办案件按当前环节期限", columns: ["期限", "数量"],
        items: days.map(function (d) { return { kind: "due", key: d, count: byDay[d].open + byDay[d].overdue }; }) });
  }

  byId("ov-scope").addEventListener("change", function () { XY.go("overview", [], { industry: this.value }); });
  XY.addView("overview", showOverview);
}(window.XY));
