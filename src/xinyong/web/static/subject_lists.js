/* 评价对象页:名单状态 (spec X-02; 122号 第十六条(一)) and 国家信用评价等级历史 (122号 第六条, 第十三条).
 * Reads GET /api/v1/subjects/{code}/listings, /national-grades and /api/v1/lists; with a token, staff list a
 * subject (POST /api/v1/listings) and record a removal (POST /api/v1/listings/{id}/removal). The refusal of a
 * role that may not do it comes back from the API and is shown in place.
 * Hooks into app.js through window.XY (loaded after it, plain ES2017, no dependencies).
 */
(function () {
  "use strict";

  var XY = window.XY;
  var h = XY.h, byId = XY.byId, clear = XY.clear;
  var state = { enc: null, code: null, lists: null };
  var SOURCE = { system: "系统对接", department: "部门录入" };

  /** The kinds of list, from the API (names and fuse articles are data, listings/lists.yaml). */
  function loadLists() {
    if (state.lists) { return Promise.resolve(state.lists); }
    return XY.api("/lists").then(function (rows) {
      state.lists = Array.isArray(rows) ? rows : [];
      var sel = clear(byId("lf-list"));
      state.lists.forEach(function (l) {
        sel.appendChild(h("option", { value: l.code, text: l.name + (l.fuse ? "(熔断)" : "") }));
      });
      return state.lists;
    });
  }

  function problemsOf(e) {
    if (e instanceof XY.ApiError && e.problems.length) { return e.problems; }
    return [{ field: null, reason_zh: XY.describeError(e), reason_en: "" }];
  }

  function showProblems(box, e) {
    clear(box);
    problemsOf(e).forEach(function (p) { box.appendChild(XY.formError(p.field, (p.field ? "[" + p.field + "] " : "") + p.reason_zh, p.reason_en)); });
  }

  function renderListings(rows) {
    var tb = clear(byId("listings-tbody"));
    var staff = !!XY.signedIn();
    if (!rows.length) {
      tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 8, text: "未列入任何名单" })));
    }
    rows.forEach(function (m) {
      tb.appendChild(h("tr", { "data-testid": "listing-row", "data-listing-id": m.id, "data-list": m.list, "data-active": String(!!m.active) },
        h("td", {}, h("code", { text: "#" + m.id })),
        h("td", { text: m.list_name || m.list }),
        h("td", { text: m.listed_on || "—" }),
        h("td", { text: m.removed_on || "—" }),
        h("td", {}, h("span", { class: "tag " + (m.active ? "tag-fused" : "tag-withdrawn"), "data-testid": "listing-active",
          text: m.active ? "在名单中" : "已移出" })),
        h("td", { class: "article", text: m.fuse || "不触发熔断" }),
        h("td", {}, SOURCE[m.source] || m.source || "—", m.source_ref ? h("div", { class: "muted", text: m.source_ref }) : null,
          m.removal_reason ? h("div", { class: "muted", text: "移出原因:" + m.removal_reason }) : null),
        h("td", {}, staff && !m.removed_on ? h("button", {
          type: "button", class: "btn btn-small btn-danger-outline", "data-testid": "listing-remove", "data-listing-id": m.id,
          "aria-label": "移出名单 " + m.id, onclick: function () { openRemoval(m.id); }
        }, "移出") : h("span", { class: "muted", text: "—" }))));
    });
  }

  function renderGrades(rows) {
    var tb = clear(byId("national-grades-tbody"));
    if (!rows.length) {
      tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 4, text: "无国家信用评价等级(初始分值按无等级计)" })));
    }
    rows.slice().sort(function (a, b) { return String(b.effective_on).localeCompare(String(a.effective_on)); }).forEach(function (g) {
      tb.appendChild(h("tr", { "data-testid": "national-grade-row", "data-grade": g.grade || "", "data-effective-on": g.effective_on },
        h("td", { text: g.effective_on || "—" }),
        h("td", {}, h("strong", { text: g.grade || "无等级" })),
        h("td", { text: g.source || "—" }),
        h("td", { text: String(g.recorded_at || "").replace("T", " ").slice(0, 19) || "—" })));
    });
  }

  function load(enc, seq) {
    state.enc = enc;
    state.code = decodeURIComponent(enc.split("/").pop());
    var staff = !!XY.signedIn();
    byId("listing-form").hidden = !staff;
    byId("removal-form").hidden = true;
    clear(byId("lf-error"));
    if (!byId("lf-listed_on").value) { byId("lf-listed_on").value = XY.today(); }
    byId("sd-listings-note").textContent = staff ? "" : "登录后可列入名单、登记移出。";
    clear(byId("listings-tbody")).appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 8, text: "加载中…" })));
    clear(byId("national-grades-tbody"));
    var parts = [XY.settle(XY.api(enc + "/listings")), XY.settle(XY.api(enc + "/national-grades"))];
    if (staff) { parts.push(XY.settle(loadLists())); }
    return Promise.all(parts).then(function (res) {
      if (XY.stale(seq)) { return; }
      if (res[0].ok) { renderListings(res[0].value || []); }
      else { clear(byId("listings-tbody")); byId("sd-listings-note").textContent = "无法加载名单状态:" + XY.describeError(res[0].error); }
      if (res[1].ok) { renderGrades(res[1].value || []); }
      else { XY.showError("加载国家信用评价等级失败", res[1].error); }
      byId("sd-listings-card").setAttribute("data-state", "ready");
    });
  }

  function submitListing(ev) {
    ev.preventDefault();
    var box = clear(byId("lf-error"));
    var body = {
      subject: state.code, list: byId("lf-list").value, listed_on: byId("lf-listed_on").value,
      source_ref: byId("lf-source_ref").value.trim()
    };
    if (!body.source_ref) {
      box.appendChild(XY.formError("source_ref", "请填写列入决定文号", "source_ref is required"));
      byId("lf-source_ref").focus();
      return;
    }
    XY.api("/listings", { method: "POST", body: body }).then(function () {
      byId("lf-source_ref").value = "";
      XY.route(); // the evaluation changes in real time (122号 第十三条): reload the whole page
    }, function (e) { showProblems(box, e); });
  }

  function openRemoval(id) {
    var form = byId("removal-form");
    form.hidden = false;
    form.setAttribute("data-listing-id", String(id));
    byId("rm-listing").textContent = "#" + id;
    byId("rm-removed_on").value = XY.today();
    byId("rm-reason").value = "";
    clear(byId("rm-error"));
    byId("rm-reason").focus();
  }

  function submitRemoval(ev) {
    ev.preventDefault();
    var form = byId("removal-form");
    var box = clear(byId("rm-error"));
    var reason = byId("rm-reason").value.trim();
    if (!reason) {
      box.appendChild(XY.formError("reason", "请填写移出原因", "reason is required"));
      byId("rm-reason").focus();
      return;
    }
    var id = form.getAttribute("data-listing-id");
    XY.api("/listings/" + encodeURIComponent(id) + "/removal", {
      method: "POST", body: { removed_on: byId("rm-removed_on").value, reason: reason }
    }).then(function () {
      form.hidden = true;
      XY.route();
    }, function (e) { showProblems(box, e); });
  }

  function init() {
    byId("listing-form").addEventListener("submit", submitListing);
    byId("removal-form").addEventListener("submit", submitRemoval);
    byId("rm-cancel").addEventListener("click", function () { byId("removal-form").hidden = true; });
  }

  XY.hooks.subject.push(load);
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
