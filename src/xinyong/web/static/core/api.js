/* The JSON API under /api/v1 for the staff pages. Staff sign in with user name and password; the session is an
 * HttpOnly cookie the page cannot read (staff never see tokens). Every write echoes the CSRF token of the
 * readable xy_csrf cookie in the X-CSRF-Token header; a 401 means the session ended (idle timeout, logout). */
(function (XY) {
  "use strict";

  var API = "/api/v1";
  var ApiError = XY.ApiError, normaliseDetail = XY.normaliseDetail, byId = XY.byId;
  // who is signed in ({name, role, department, …} from GET /me), null when nobody is
  var session = { me: null, listeners: [] };

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)xy_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function signedIn() { return !!(session.me && session.me.authenticated); }
  function me() { return session.me; }
  function setMe(value) {
    var was = signedIn();
    session.me = value;
    session.listeners.forEach(function (fn) { fn(value, was); });
  }
  function onSession(fn) { session.listeners.push(fn); }

  var busyCount = 0;
  function busy(delta) {
    busyCount = Math.max(0, busyCount + delta);
    byId("busy").hidden = busyCount === 0;
    document.body.setAttribute("aria-busy", busyCount > 0 ? "true" : "false");
  }

  function qs(params) {
    var u = new URLSearchParams();
    Object.keys(params || {}).forEach(function (k) {
      var v = params[k];
      if (v !== null && v !== undefined && v !== "") { u.set(k, String(v)); }
    });
    var t = u.toString();
    return t ? "?" + t : "";
  }

  /** fetch JSON from the API. Rejects with ApiError (HTTP error) or TypeError/AbortError (network). */
  function api(path, opts) {
    opts = opts || {};
    var method = opts.method || "GET";
    var headers = { "Accept": "application/json" };
    var init = { method: method, headers: headers, credentials: "same-origin", cache: "no-store" };
    if (opts.form !== undefined) {
      init.body = opts.form; // multipart (FormData): the browser sets the Content-Type with its boundary
    } else if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    if (method !== "GET") {
      var csrf = csrfToken();
      if (csrf) { headers["X-CSRF-Token"] = csrf; }
    }
    var ctrl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = null;
    if (ctrl) { init.signal = ctrl.signal; timer = setTimeout(function () { ctrl.abort(); }, XY.REQUEST_TIMEOUT_MS); }
    busy(1);
    return fetch(API + path, init).then(function (resp) {
      return resp.text().then(function (text) {
        var data = null;
        if (text) {
          try { data = JSON.parse(text); }
          catch (e) {
            if (resp.ok) { throw new ApiError(resp.status, [], "服务器返回的不是 JSON 数据"); }
          }
        }
        if (!resp.ok) {
          var problems = data && typeof data === "object" ? normaliseDetail(data.detail) : [];
          if (!problems.length && text && !data) {
            problems = [{ field: null, reason_zh: text.slice(0, 200), reason_en: "" }];
          }
          // the session ended (idle timeout or signed out elsewhere): the header asks to sign in again
          if (resp.status === 401 && signedIn() && path !== "/login") { setMe({ authenticated: false, expired: true }); }
          throw new ApiError(resp.status, problems);
        }
        return data;
      });
    }).then(function (data) {
      if (timer) { clearTimeout(timer); }
      busy(-1);
      return data;
    }, function (err) {
      if (timer) { clearTimeout(timer); }
      busy(-1);
      throw err;
    });
  }

  /** A file behind the session (CSV of a draft's impact …): fetched with the cookie, saved under `name`. */
  function download(href, name) {
    busy(1);
    return fetch(href, { credentials: "same-origin", cache: "no-store" }).then(function (resp) {
      if (!resp.ok) { throw new ApiError(resp.status, []); }
      return resp.blob();
    }).then(function (blob) {
      busy(-1);
      var url = URL.createObjectURL(blob);
      var a = XY.h("a", { href: url, download: name });
      document.body.appendChild(a);
      a.click();
      document.body.removeChild(a);
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    }, function (e) { busy(-1); XY.showError("下载失败", e); });
  }

  Object.assign(XY, {
    API: API, api: api, qs: qs, busy: busy, download: download, signedIn: signedIn, me: me, setMe: setMe,
    onSession: onSession,
    // kept for the domain pages written before sessions: "is somebody signed in" (no token is ever exposed)
    getToken: function () { return signedIn() ? "session" : ""; }
  });
}(window.XY));
