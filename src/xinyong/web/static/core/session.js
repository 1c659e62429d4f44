/* Sign-in in the page header (122号 第四条 roles): user name and password only. POST /login?cookie=true sets the
 * HttpOnly session cookie; the page learns who is signed in from GET /me and never sees a token. */
(function (XY) {
  "use strict";

  var byId = XY.byId, api = XY.api;
  var ROLE_NAME = { admin: "管理员", coordinator: "统筹部门", business: "业务部门", hall: "政务服务大厅", support: "运维",
    leader: "主管领导", viewer: "查阅", subject: "评价对象" };

  function render(me) {
    var on = !!(me && me.authenticated);
    var st = byId("login-status");
    byId("login-fields").hidden = on;
    byId("logout-button").hidden = !on;
    document.body.setAttribute("data-signed-in", String(on));
    document.body.setAttribute("data-role", on ? me.role : "");
    if (on) {
      st.textContent = me.name + " · " + (ROLE_NAME[me.role] || me.role) + " (" + me.role + ")" +
        (me.department ? " · " + XY.departmentName(me.department) : "");
    } else {
      st.textContent = me && me.expired ? "登录已超时,请重新登录 (session timed out)" : "未登录 (not signed in)";
    }
  }

  function refresh() {
    return api("/me").then(function (me) { XY.setMe(me || { authenticated: false }); },
      function () { XY.setMe({ authenticated: false }); });
  }

  XY.onSession(function (me, was) {
    render(me);
    // what a page shows follows the role: reload the view when somebody signs in or out
    if (was !== !!(me && me.authenticated) && XY.started && XY.started()) { XY.route(); }
  });

  byId("login-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var u = byId("login-username").value.trim();
    var p = byId("login-password").value;
    if (!u || !p) { byId("login-status").textContent = "请输入用户名和密码"; return; }
    byId("login-status").textContent = "正在登录…";
    api("/login?cookie=true", { method: "POST", body: { username: u, password: p } }).then(function (r) {
      byId("login-password").value = "";
      XY.setMe({ authenticated: true, name: r.username, role: r.role, department: r.department, subject: r.subject,
        channel: "manual" });
    }, function (e) {
      byId("login-password").value = "";
      byId("login-status").textContent = XY.describeError(e);
    });
  });

  byId("logout-button").addEventListener("click", function () {
    function done() { XY.setMe({ authenticated: false }); byId("login-username").focus(); }
    api("/logout", { method: "POST" }).then(done, done);
  });

  XY.refreshSession = refresh;
}(window.XY));
