/* 撤回记录 Withdraw a record (dialog on the subject page; 122号 第十九条 a withdrawn record stays in the archive). */
(function (XY) {
  "use strict";

  var h = XY.h, byId = XY.byId, clear = XY.clear, append = XY.append, api = XY.api, qs = XY.qs, fw = XY.fw;
  var ref = XY.ref, fmtNum = XY.fmtNum, fmtSigned = XY.fmtSigned, pct = XY.pct, isNum = XY.isNum, today = XY.today;
  var gradeOf = XY.gradeOf, badge = XY.badge, setBadge = XY.setBadge, setFused = XY.setFused, isMasked = XY.isMasked;
  var kindName = XY.kindName, nationalName = XY.nationalName, setState = XY.setState, showError = XY.showError;
  var describeError = XY.describeError, ApiError = XY.ApiError, statusText = XY.statusText, settle = XY.settle;
  var industryName = XY.industryName, departmentName = XY.departmentName, hashFor = XY.hashFor, go = XY.go;
  var stale = XY.stale, hooks = XY.hooks, loadReference = XY.loadReference, ensureOption = XY.ensureOption;
  var formError = XY.formError, itemCell = XY.itemCell, fillIndustrySelect = XY.fillIndustrySelect;
  var INFO_CLASS = XY.INFO_CLASS, ADMIN_CATEGORY = XY.ADMIN_CATEGORY;
  function current() { return XY.current(); }

  /* withdraw dialog */

  var withdrawId = null;

  function openWithdraw(id) {
    withdrawId = id;
    byId("wd-record").textContent = "#" + id;
    byId("wd-reason").value = "";
    clear(byId("wd-error"));
    byId("wd-confirm").disabled = false;
    var dlg = byId("withdraw-dialog");
    if (!XY.signedIn()) {
      byId("wd-error").appendChild(withdrawError(null, "尚未登录,撤回需要先在页头登录", "sign in first"));
    }
    if (typeof dlg.showModal === "function") { dlg.showModal(); } else { dlg.setAttribute("open", ""); }
    byId("wd-reason").focus();
  }

  function withdrawError(field, zh, en) {
    var node = formError(field, zh, en);
    node.setAttribute("data-testid", "withdraw-error-item");
    return node;
  }

  function closeWithdraw() {
    clear(byId("wd-error"));
    var dlg = byId("withdraw-dialog");
    if (typeof dlg.close === "function" && dlg.open) { dlg.close(); } else { dlg.removeAttribute("open"); }
    withdrawId = null;
  }

  function submitWithdraw(ev) {
    ev.preventDefault();
    var reason = byId("wd-reason").value.trim();
    var box = clear(byId("wd-error"));
    if (!reason) {
      box.appendChild(withdrawError("reason", "请填写撤回原因", "reason is required"));
      byId("wd-reason").focus();
      return;
    }
    var id = withdrawId;
    byId("wd-confirm").disabled = true;
    api("/records/" + encodeURIComponent(id) + "/withdraw", { method: "POST", body: { reason: reason } }).then(function () {
      closeWithdraw();
      XY.route(); // reload the detail: records and evaluation change
    }, function (e) {
      byId("wd-confirm").disabled = false;
      var problems = e instanceof ApiError && e.problems.length ? e.problems : [{ field: null, reason_zh: describeError(e), reason_en: "" }];
      if (e instanceof ApiError) {
        box.appendChild(withdrawError(null, "HTTP " + e.status + " " + statusText(e.status), ""));
      }
      problems.forEach(function (p) { box.appendChild(withdrawError(p.field, p.reason_zh, p.reason_en)); });
    });
  }


  byId("withdraw-form").addEventListener("submit", submitWithdraw);
  byId("wd-cancel").addEventListener("click", closeWithdraw);
  byId("wd-reason").addEventListener("input", function () { clear(byId("wd-error")); });
  byId("withdraw-dialog").addEventListener("close", function () { clear(byId("wd-error")); withdrawId = null; });
  XY.openWithdraw = openWithdraw;
}(window.XY));
