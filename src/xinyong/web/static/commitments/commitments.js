/* 评价对象页:信用承诺 (122号 第八条 末款 事前信用预警; 第七条(二), 第十六条(三)). The subject's commitments from
 * GET /api/v1/subjects/{code}/commitments — open, overdue (after the due day; the grace runs from the notice),
 * fulfilled, breached with the breach record that fires 第十六条(三) — and, for staff, the form to add one
 * (POST /api/v1/commitments) and the fulfil action (POST /api/v1/commitments/{id}/fulfil). Refusals (403, 409,
 * 422 per field) are shown next to the form. Hooks into app.js through window.XY (XY.hooks.subject).
 */
(function () {
  "use strict";

  var XY = window.XY;
  var h = XY.h, byId = XY.byId, clear = XY.clear;
  var STATE = { open: "未到期", overdue: "已逾期", fulfilled: "已履行", breached: "违诺" };
  var FIELDS = ["content", "licence_ref", "department", "made_on", "due_on"];
  var cur = { code: null, seq: null };

  function problemsOf(e) {
    if (e instanceof XY.ApiError && e.problems.length) { return e.problems; }
    return [{ field: null, reason_zh: XY.describeError(e), reason_en: "" }];
  }

  function outcomeCell(m) {
    if (m.state === "fulfilled") {
      return h("td", {}, "履行于 " + (m.fulfilled_on || "—"), m.evidence ? h("div", { class: "muted", text: m.evidence }) : null);
    }
    if (m.state === "breached") {
      return h("td", { "data-testid": "commitment-breach" }, "违诺认定 " + (m.breached_on || "—") + (m.breach_automatic ? "(宽限期满自动认定)" : ""),
        m.breach_reason ? h("div", { class: "muted", text: m.breach_reason }) : null,
        m.breach_record_id ? h("div", {}, "信用记录 ", h("code", { "data-testid": "commitment-breach-record", text: "#" + m.breach_record_id }),
          " · 第十六条(三)") : null);
    }
    var grace = m.notice_on ? "已于 " + m.notice_on + " 告知,宽限至 " + m.grace_ends_on : "宽限期(告知后)至 " + m.grace_ends_on + "(预计)";
    return h("td", { class: "muted", text: m.state === "overdue" ? grace : "—" });
  }

  function render(rows, staff) {
    var tb = clear(byId("commitments-tbody"));
    var count = { open: 0, overdue: 0, fulfilled: 0, breached: 0 };
    if (!rows.length) { tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 8, text: "无信用承诺" }))); }
    rows.forEach(function (m) {
      count[m.state] = (count[m.state] || 0) + 1;
      var pending = m.state === "open" || m.state === "overdue";
      tb.appendChild(h("tr", { "data-testid": "commitment-row", "data-commitment-id": m.id, "data-state": m.state, "data-due": m.due_on },
        h("td", {}, h("code", { text: "#" + m.id })),
        h("td", { class: "note", text: m.content }),
        h("td", { text: m.licence_ref }),
        h("td", { text: XY.departmentName(m.department) }),
        h("td", {}, m.due_on, h("div", { class: "muted", text: "作出 " + m.made_on })),
        h("td", {}, h("span", { class: "tag cm-state-" + m.state, "data-testid": "commitment-state", text: STATE[m.state] || m.state })),
        outcomeCell(m),
        h("td", {}, staff && pending ? h("button", {
          type: "button", class: "btn btn-small", "data-testid": "commitment-fulfil", "data-commitment-id": m.id,
          "aria-label": "登记承诺 " + m.id + " 已履行", onclick: function () { openFulfil(m.id); }
        }, "已履行") : h("span", { class: "muted", text: "—" }))));
    });
    var sum = byId("cm-summary");
    sum.textContent = rows.length ? Object.keys(STATE).map(function (k) { return STATE[k] + " " + count[k]; }).join(" · ") : "";
    Object.keys(count).forEach(function (k) { sum.setAttribute("data-" + k, String(count[k])); });
  }

  function fillDepartments(ref, who) {
    var sel = byId("cm-department");
    if (sel.options.length) { return; }
    sel.appendChild(h("option", { value: "", text: "请选择部门" }));
    (ref.departments || []).forEach(function (d) { sel.appendChild(h("option", { value: d.code, text: d.name })); });
    if (who && who.department) { sel.value = who.department; }
  }

  function load(enc, seq) {
    cur.code = decodeURIComponent(enc.split("/").pop());
    cur.seq = seq;
    var card = byId("sd-commitments-card");
    var staff = !!XY.signedIn();
    card.setAttribute("data-state", "loading");
    byId("commitment-form").hidden = !staff;
    byId("cm-fulfil-form").hidden = true;
    clearErrors();
    var parts = [XY.settle(XY.api(enc + "/commitments"))];
    if (staff) { parts.push(XY.reference(), XY.settle(XY.api("/me"))); }
    return Promise.all(parts).then(function (res) {
      if (XY.stale(seq)) { return; }
      if (staff) { fillDepartments(res[1], res[2].ok ? res[2].value : null); }
      if (res[0].ok) { render(res[0].value || [], staff); }
      else {
        clear(byId("commitments-tbody"));
        byId("cm-summary").textContent = "无法加载信用承诺:" + XY.describeError(res[0].error);
      }
      card.setAttribute("data-state", "ready");
    });
  }

  function clearErrors() {
    clear(byId("cm-err-_general"));
    FIELDS.forEach(function (f) { clear(byId("cm-err-" + f)); byId("cm-" + f).removeAttribute("aria-invalid"); });
    clear(byId("cm-fulfil-error"));
  }

  function submitCommitment(ev) {
    ev.preventDefault();
    clearErrors();
    var body = { subject: cur.code };
    FIELDS.forEach(function (f) { var v = byId("cm-" + f).value.trim(); if (v) { body[f] = v; } });
    var status = byId("cm-status");
    status.textContent = "正在提交…";
    XY.api("/commitments", { method: "POST", body: body }).then(function (m) {
      status.textContent = "已录入承诺 #" + m.id;
      byId("cm-content").value = "";
      byId("cm-licence_ref").value = "";
      byId("cm-due_on").value = "";
      XY.route(); // 事前信用预警: the subject page shows the new commitment with everything else
    }, function (e) {
      status.textContent = "";
      problemsOf(e).forEach(function (p) {
        var known = FIELDS.indexOf(p.field) >= 0;
        var box = byId(known ? "cm-err-" + p.field : "cm-err-_general");
        if (known) { byId("cm-" + p.field).setAttribute("aria-invalid", "true"); }
        box.appendChild(XY.formError(p.field, (p.field && !known ? "[" + p.field + "] " : "") + p.reason_zh, p.reason_en));
      });
    });
  }

  function openFulfil(id) {
    var form = byId("cm-fulfil-form");
    form.hidden = false;
    form.setAttribute("data-commitment-id", String(id));
    byId("cm-fulfil-id").textContent = "#" + id;
    byId("cm-fulfil-evidence").value = "";
    clear(byId("cm-fulfil-error"));
    byId("cm-fulfil-evidence").focus();
  }

  function submitFulfil(ev) {
    ev.preventDefault();
    var form = byId("cm-fulfil-form");
    var box = clear(byId("cm-fulfil-error"));
    var evidence = byId("cm-fulfil-evidence").value.trim();
    if (!evidence) {
      box.appendChild(XY.formError("evidence", "请填写履行证明", "evidence is required"));
      byId("cm-fulfil-evidence").focus();
      return;
    }
    var id = form.getAttribute("data-commitment-id");
    XY.api("/commitments/" + encodeURIComponent(id) + "/fulfil", { method: "POST", body: { evidence: evidence } }).then(function () {
      form.hidden = true;
      XY.route();
    }, function (e) {
      problemsOf(e).forEach(function (p) { box.appendChild(XY.formError(p.field, (p.field ? "[" + p.field + "] " : "") + p.reason_zh, p.reason_en)); });
    });
  }

  function init() {
    byId("commitment-form").addEventListener("submit", submitCommitment);
    byId("cm-fulfil-form").addEventListener("submit", submitFulfil);
    byId("cm-fulfil-cancel").addEventListener("click", function () { byId("cm-fulfil-form").hidden = true; });
  }

  init();
  XY.hooks.subject.push(load);
}());
