/* 分值变化 Score history of the subject page (122号 第十九条 一事件一记录): every evaluation change of the scope
 * shown, from the archive's evaluation_changed entries, each point annotated with its cause (the record entered,
 * corrected or withdrawn, the listing, the new standard …). */
(function (XY) {
  "use strict";

  var byId = XY.byId;
  var CAUSE = { record_entered: "录入记录", record_corrected: "更正记录", record_withdrawn: "撤回记录",
    subject_listed: "列入名单", listing_removed: "移出名单", evaluation_changed: "重新评价" };

  function causeText(c) {
    c = c || {};
    var t = CAUSE[c.event] || c.event || "重新评价";
    if (c.record_id !== undefined && c.record_id !== null) { t += " #" + c.record_id; }
    if (c.listing_id !== undefined && c.listing_id !== null) { t += " 名单#" + c.listing_id; }
    return t;
  }

  /** entries: the archive (oldest first) or null when it cannot be read (not signed in, no right). */
  function scoreHistory(entries) {
    var el = byId("sd-history");
    var note = byId("sd-history-note");
    var scope = (XY.current().query.get("industry")) || "general";
    if (!entries) {
      note.textContent = "登录后可查看分值变化(来自电子信用档案)。Sign in to see the score history.";
      el.hidden = true;
      return;
    }
    var points = entries.filter(function (e) {
      return e.kind === "evaluation_changed" && e.payload && e.payload.scope === scope && e.payload.new;
    }).map(function (e) {
      var p = e.payload;
      return { day: String(p.as_of || e.at || "").slice(0, 10), at: String(e.at || "").replace("T", " ").slice(0, 19),
        score: p.new.score, level: p.new.level, grade: p.new.grade,
        old: p.old ? p.old.score : null, cause: causeText(p.cause) };
    });
    el.hidden = !points.length;
    note.textContent = points.length ? "共 " + points.length + " 次变化;每个点注明变化原因。" : "本评价范围尚无分值变化记录。";
    if (!points.length) { return; }
    XY.chart(el, {
      tooltip: { trigger: "item", formatter: function (p) {
        var x = points[p.dataIndex];
        return x.at + "<br>" + (x.old === null ? "" : x.old + " → ") + x.score + " (" + x.level + ")<br>" + x.cause;
      } },
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: points.map(function (x, i) { return x.day + (i ? "" : ""); }), boundaryGap: true },
      yAxis: { type: "value", scale: true, name: "分值" },
      series: [{ type: "line", step: "end", symbolSize: 9,
        label: { show: true, formatter: function (p) { return points[p.dataIndex].cause; }, fontSize: 11 },
        data: points.map(function (x) { return { value: x.score, itemStyle: { color: XY.gradeColor(x.grade) } }; }) }]
    }, { caption: "分值变化及原因", columns: ["时间", "分值", "级别", "原因"],
      items: points.map(function (x) {
        return { kind: "change", key: x.at, count: x.score, cells: [x.at, String(x.score), x.level || "", x.cause] };
      }) });
  }

  XY.scoreHistory = scoreHistory;
}(window.XY));
