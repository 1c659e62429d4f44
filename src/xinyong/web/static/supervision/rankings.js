/* 信用排行榜 (122号 第十七条; spec G1-11): drafts and published rankings (GET /api/v1/rankings, staff), a new draft
 * (POST /api/v1/rankings {industry, as_of}), and publication by the leader in charge of the industry, signed in
 * (POST /api/v1/rankings/{id}/approve); a published ranking never changes. A card of #/supervision (supervision.js).
 */
(function () {
  "use strict";

  var XY = window.XY, S = XY.supervision;
  var h = XY.h, byId = XY.byId, clear = XY.clear;
  var STATUS = { draft: "草稿", published: "已发布" };
  var cur = { ctx: null };

  function showRanking(k) {
    var box = byId("rk-detail");
    box.hidden = false;
    box.setAttribute("data-ranking-id", String(k.id));
    byId("rk-title").textContent = "排行榜 #" + k.id + " · " + XY.industryName(k.industry) + " · 基准日 " + k.as_of + " · 统计期间自 " +
      k.period_start + " · " + (STATUS[k.status] || k.status);
    var tb = clear(byId("rk-entries-tbody"));
    if (!(k.entries || []).length) { tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 7, text: "该行业没有评价对象" }))); }
    (k.entries || []).forEach(function (e) {
      tb.appendChild(h("tr", { "data-testid": "rk-entry", "data-rank": e.rank, "data-subject": e.subject },
        h("td", { class: "num", text: String(e.rank) }), h("td", {}, h("code", { text: e.subject })), h("td", { text: e.name }),
        h("td", { class: "num", text: String(e.score) }), h("td", { text: e.level }),
        h("td", { text: e.fused ? "熔断" : "—" }), h("td", { class: "num", text: e.bad_records === undefined ? "—" : String(e.bad_records) })));
    });
  }

  function approve(id) {
    var box = clear(byId("rk-error"));
    return XY.api("/rankings/" + id + "/approve", { method: "POST" }).then(function (k) {
      return load(cur.ctx).then(function () { showRanking(k); });
    }, function (e) { S.problemsInto(box, e); });
  }

  function render(rows, who) {
    var tb = clear(byId("rk-tbody"));
    if (!rows.length) { tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 6, text: "尚无排行榜" }))); }
    rows.forEach(function (k) {
      tb.appendChild(h("tr", { "data-testid": "rk-row", "data-ranking-id": k.id, "data-status": k.status },
        h("td", {}, h("code", { text: "#" + k.id })), h("td", { text: XY.industryName(k.industry) }), h("td", { text: k.as_of }),
        h("td", {}, h("span", { class: "tag " + (k.status === "published" ? "tag-ok" : "tag-provisional"), text: STATUS[k.status] || k.status })),
        h("td", { text: k.approved_by ? k.approved_by + " · " + String(k.approved_at || "").replace("T", " ").slice(0, 16) : "—" }),
        h("td", {}, h("button", { type: "button", class: "btn btn-small", "data-testid": "rk-view", onclick: function () { showRanking(k); } }, "查看"),
          k.status === "draft" && S.may("approve", who) ? [" ", h("button", { type: "button", class: "btn btn-small btn-primary",
            "data-testid": "rk-approve", "data-ranking-id": k.id, onclick: function () { approve(k.id); } }, "审定发布")] : null)));
    });
  }

  function load(ctx) {
    cur.ctx = ctx;
    byId("rk-detail").hidden = true;
    var form = byId("rk-form");
    form.hidden = !S.may("draft", ctx.who);
    if (!form.hidden) {
      S.fillSelect(byId("rk-industry"), S.industries(ctx, false));
      if (!byId("rk-as_of").value) { byId("rk-as_of").value = XY.today(); }
    }
    if (!ctx.who.authenticated) { render([], ctx.who); return Promise.resolve(); }
    return XY.api("/rankings").then(function (rows) { render(rows || [], ctx.who); }, function (e) {
      render([], ctx.who);
      S.problemsInto(byId("rk-error"), e);
    });
  }

  function submit(ev) {
    ev.preventDefault();
    var box = clear(byId("rk-error"));
    XY.api("/rankings", { method: "POST", body: { industry: byId("rk-industry").value, as_of: byId("rk-as_of").value } }).then(function (k) {
      return load(cur.ctx).then(function () { showRanking(k); });
    }, function (e) { S.problemsInto(box, e); });
  }

  byId("rk-form").addEventListener("submit", submit);
  S.parts.push(load);
}());
