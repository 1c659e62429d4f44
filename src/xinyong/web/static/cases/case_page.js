/* 异议与修复 · 案件详情 (122号 第十八条; spec D1-36, G1-07). Route #/case/ID: the case (GET /api/v1/cases/{id}),
 * its timeline (state, when, who, note), its evidence, and the forms of the actions that its state and the signed-in
 * role allow: 转办 route (hall, with the department), 接收核实 accept, 延期 extend once with a reason, 审核意见 opinion
 * (upheld / rejected, text, remedy) by the routed department; 反馈 report, 办结 resolve, 结案 close by the hall.
 * Each calls POST /api/v1/cases/{id}/{action}; a refusal (409 naming the state, 403, 422 per field) is shown next to
 * its form. Hooks into app.js through window.XY (XY.addView); shared pieces in case_forms.js.
 */
(function () {
  "use strict";

  var XY = window.XY;
  var C = XY.cases;
  var h = XY.h, byId = XY.byId, clear = XY.clear;
  var ACTIONS = ["route", "accept", "extend", "opinion", "report", "resolve", "close", "evidence"];
  var cur = { id: null, c: null, who: null };

  function when(at) { return String(at || "").replace("T", " ").slice(0, 19); }

  function renderHead(c) {
    byId("cs-id").textContent = "#" + c.id;
    byId("cs-kind").textContent = C.KIND[c.kind] || c.kind;
    var st = byId("cs-state");
    st.textContent = c.state_zh || c.state;
    st.className = "tag case-state case-state-" + c.state;
    st.setAttribute("data-state", c.state);
    var due = clear(byId("cs-due"));
    due.setAttribute("data-due", c.due_on || "");
    due.setAttribute("data-overdue", String(!!c.overdue));
    due.appendChild(C.dueCell(c));
    byId("cs-department").textContent = XY.departmentName(c.department);
    var subj = clear(byId("cs-subject"));
    subj.appendChild(document.createTextNode((c.subject_name || "") + " "));
    subj.appendChild(/\*/.test(String(c.subject)) ? h("code", { text: c.subject })
      : h("a", { href: XY.hashFor("subject", [c.subject]), "data-testid": "case-subject-link" }, h("code", { text: c.subject })));
    byId("cs-target").textContent = C.targetText(c) + (c.result_record_id ? " → 更正为 #" + c.result_record_id : "");
    byId("cs-statement").textContent = c.statement || "—";
    byId("cs-channel").textContent = C.CHANNEL[c.channel] || c.channel || "—";
    byId("cs-received").textContent = (c.received_on || "—") + " · " + (c.filed_by || "");
    var ext = byId("cs-extended");
    ext.setAttribute("data-extended", String(!!c.extended));
    ext.textContent = c.extended ? "已延期一次:" + (c.extension_reason || "") : "未延期";
    var op = byId("cs-opinion");
    op.setAttribute("data-outcome", c.outcome || "");
    op.textContent = c.outcome ? (C.OUTCOME[c.outcome] || c.outcome) + (c.remedy ? "(" + (C.REMEDY[c.remedy] || c.remedy) + ")" : "") +
      ":" + (c.opinion || "") : "尚未出具";
    document.title = "案件 #" + c.id + " · 信用评价管理系统";
  }

  function renderTimeline(c) {
    var ol = clear(byId("case-timeline"));
    (c.steps || []).forEach(function (s, i) {
      ol.appendChild(h("li", { class: "timeline-step", "data-testid": "timeline-step", "data-state": s.state, "data-index": i },
        h("span", { class: "tag case-state case-state-" + s.state, text: C.STATE_ZH[s.state] || s.state }),
        " ", h("time", { datetime: s.at, "data-testid": "timeline-at", text: when(s.at) }),
        " ", h("span", { class: "timeline-by", "data-testid": "timeline-by", text: s.by || "" }),
        s.note ? h("p", { class: "timeline-note", "data-testid": "timeline-note", text: s.note }) : null));
    });
  }

  function renderEvidence(c) {
    var ul = clear(byId("cs-evidence"));
    if (!(c.evidence || []).length) { ul.appendChild(h("li", { class: "muted", text: "暂无证明材料" })); }
    (c.evidence || []).forEach(function (e) {
      ul.appendChild(h("li", { "data-testid": "case-evidence-item", "data-sha256": e.sha256 },
        h("a", { href: [XY.API + "/cases", encodeURIComponent(c.id), "evidence", encodeURIComponent(e.sha256)].join("/"),
          download: e.name || "", class: "evidence-link", "data-testid": "case-evidence-link" },
          h("strong", { text: e.name })), " ", h("span", { class: "muted", text: e.media_type + " · " + e.size + " 字节 · " +
          (e.uploaded_by || "") + " · " + when(e.uploaded_at) }), " ", h("code", { class: "hash", title: e.sha256, text: e.sha256.slice(0, 12) + "…" })));
    });
  }

  function syncOpinionFields() {
    var c = cur.c || {};
    var upheld = byId("ca-opinion-outcome").value === "upheld";
    // a remedy is given for an upheld objection to a record only (cases/service: _correction_problems)
    var remedy = upheld && c.kind === "objection" && c.record_id !== null && c.record_id !== undefined;
    byId("ca-remedy-field").hidden = !remedy;
    byId("ca-correction").hidden = !(remedy && byId("ca-opinion-remedy").value === "correct");
  }

  function renderActions(c, who) {
    var any = false;
    ACTIONS.forEach(function (a) {
      var form = byId("ca-" + a);
      var ok = C.allowed(a, c, who);
      form.hidden = !ok;
      any = any || (ok && a !== "evidence");
    });
    var note = byId("cs-actions-note");
    if (!who.authenticated) { note.textContent = "登录后可办理。"; }
    else if (!any) { note.textContent = "当前环节(" + (c.state_zh || c.state) + ")没有 " + who.role + " 角色可办理的事项。"; }
    else { note.textContent = "当前环节:" + (c.state_zh || c.state) + " · 当前身份:" + who.role + (who.department ? " · " + XY.departmentName(who.department) : ""); }
    byId("cs-actions").setAttribute("data-allowed", ACTIONS.filter(function (a) { return C.allowed(a, c, who); }).join(" "));
    if (c.state === "reported_to_credit_authority") {
      byId("ca-resolve-text").textContent = c.outcome === "upheld" ? "审核意见为成立:办结时按意见修复并实时重新评价" : "审核意见为不成立:办结为不予支持";
    }
    syncOpinionFields();
  }

  function render(c) {
    cur.c = c;
    renderHead(c);
    renderTimeline(c);
    renderEvidence(c);
    renderActions(c, cur.who || { authenticated: false });
  }

  function fillDepartments(ref, c) {
    var sel = clear(byId("ca-route-department"));
    (ref.departments || []).forEach(function (d) { sel.appendChild(h("option", { value: d.code, text: d.name })); });
    if (c && c.department) { sel.value = c.department; }
  }

  function showCase(r, seq) {
    var id = r.args[0] || "";
    cur.id = id;
    XY.setState("case", "loading");
    ACTIONS.forEach(function (a) { C.clearProblems(byId("ca-" + a)); byId("ca-" + a).hidden = true; });
    clear(byId("case-timeline"));
    if (!/^\d+$/.test(id)) {
      XY.setState("case", "error");
      XY.showError("案件详情", new Error("缺少案件编号"));
      return;
    }
    return Promise.all([XY.api("/cases/" + id), C.me(), XY.reference()]).then(function (res) {
      if (XY.stale(seq)) { return; }
      cur.who = res[1];
      fillDepartments(res[2], res[0]);
      byId("ca-extend-reason").value = "";
      byId("ca-opinion-text").value = "";
      render(res[0]);
      XY.setState("case", "ready");
    }, function (e) {
      if (XY.stale(seq)) { return; }
      XY.setState("case", "error");
      XY.showError("加载案件失败", e);
    });
  }

  function bodyOf(action) {
    if (action === "route") { return { department: byId("ca-route-department").value }; }
    if (action === "extend") { return { reason: byId("ca-extend-reason").value.trim() }; }
    if (action !== "opinion") { return undefined; }
    var b = { outcome: byId("ca-opinion-outcome").value, opinion: byId("ca-opinion-text").value.trim() };
    if (!byId("ca-remedy-field").hidden) {
      b.remedy = byId("ca-opinion-remedy").value;
      if (b.remedy === "correct") {
        var fix = {};
        ["item", "act_date", "note"].forEach(function (f) {
          var v = byId("ca-correction-" + f).value.trim();
          if (v) { fix[f] = v; }
        });
        b.correction = fix;
      }
    }
    return b;
  }

  function submitAction(action, ev) {
    ev.preventDefault();
    var form = byId("ca-" + action);
    C.clearProblems(form);
    var id = cur.id;
    var opts = { method: "POST" };
    if (action === "evidence") {
      var input = byId("ca-evidence-file");
      if (!input.files || !input.files.length) {
        C.showProblems(form, new XY.ApiError(422, [{ field: "file", reason_zh: "请选择要上传的文件", reason_en: "choose a file" }]));
        return;
      }
      var fd = new FormData();
      fd.append("file", input.files[0]);
      opts.form = fd;
    } else {
      var body = bodyOf(action);
      if (body !== undefined) { opts.body = body; }
    }
    var path = "/cases/" + encodeURIComponent(id) + "/" + action;
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    XY.api(path, opts).then(function (c) {
      button.disabled = false;
      if (cur.id !== id) { return; }
      if (action === "evidence") { byId("ca-evidence-file").value = ""; XY.route(); return; }
      render(c);
      var next = document.querySelector("#cs-actions form.case-action:not([hidden]) button[type=submit]");
      if (next) { next.focus(); }
    }, function (e) {
      button.disabled = false;
      C.showProblems(form, e);
    });
  }

  function init() {
    ACTIONS.forEach(function (a) { byId("ca-" + a).addEventListener("submit", function (ev) { submitAction(a, ev); }); });
    byId("ca-opinion-outcome").addEventListener("change", syncOpinionFields);
    byId("ca-opinion-remedy").addEventListener("change", syncOpinionFields);
  }

  init();
  XY.addView("case", showCase, "cases");
}());
