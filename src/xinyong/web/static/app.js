/* 信用评价管理系统 — staff single-page UI: the hash router and start-up (京规自发〔2024〕122号).
 * Routes (hash), each added by its domain folder with XY.addView(name, show, nav):
 *   #/overview[?industry=CODE]                      overview/dashboard.js
 *   #/subjects[?q=&grade=&industry=&page=N]          subjects/subjects.js
 *   #/subject/CODE[?industry=CODE&as_of=YYYY-MM-DD]  subjects/subject_page.js
 *   #/enter[?subject=CODE]                           records/enter.js
 *   #/standards[/VERSION]                            standards/standards.js
 *   #/cases, #/case/ID (cases/), #/supervision (supervision/), commitments/
 * Shared helpers live in core/ (dom, api, reference, charts, session, i18n). Every DOM node that tests rely on is
 * static in index.html (data-testid); scripts only fill it. Each view carries data-state="idle|loading|ready|error".
 * All requests go through XY.api: fetch(API + path, …) with the session cookie and the CSRF header.
 */
(function (XY) {
  "use strict";

  var byId = XY.byId, qs = XY.qs;
  var current = { name: "", args: [], query: new URLSearchParams() };
  var navSeq = 0;
  var started = false;
  var VIEWS = {};
  // the nav entry a view belongs to (a detail view highlights its list)
  var NAV_OF = {};
  // pages of other domains (subject_lists.js, standards_comments.js, cases/…) hook into the views through XY.hooks
  var hooks = { subject: [], standard: [] };

  function safeDecode(x) { try { return decodeURIComponent(x); } catch (e) { return x; } }

  function parseHash() {
    var raw = (location.hash || "").replace(/^#\/?/, "");
    var qi = raw.indexOf("?");
    var path = qi >= 0 ? raw.slice(0, qi) : raw;
    var query = new URLSearchParams(qi >= 0 ? raw.slice(qi + 1) : "");
    var parts = path.split("/").filter(function (p) { return p !== ""; }).map(safeDecode);
    return { name: parts[0] || "overview", args: parts.slice(1), query: query };
  }

  function hashFor(name, args, params) {
    var p = "#/" + name;
    (args || []).forEach(function (a) { p += "/" + encodeURIComponent(a); });
    return p + qs(params);
  }

  function go(name, args, params) {
    var target = hashFor(name, args, params);
    if (location.hash === target) { route(); } else { location.hash = target; }
  }

  /** A view: `fn(r, seq)` shows section #view-NAME; `nav` names its nav entry. A view added after start-up whose
   * name the hash holds is routed at once. */
  function addView(name, fn, nav) {
    VIEWS[name] = fn;
    if (nav) { NAV_OF[name] = nav; }
    if (started && parseHash().name === name) { route(); }
  }

  function route() {
    var r = parseHash();
    if (!VIEWS[r.name]) { r = { name: "overview", args: [], query: new URLSearchParams() }; }
    current = r;
    var seq = ++navSeq;
    XY.clearErrors(); // errors belong to the view that raised them; the new view reports its own
    document.body.setAttribute("data-route", r.name);
    Object.keys(VIEWS).forEach(function (v) { byId("view-" + v).hidden = v !== r.name; });
    var navName = NAV_OF[r.name] || r.name;
    var links = document.querySelectorAll("[data-nav]");
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("data-nav") === navName) { links[i].setAttribute("aria-current", "page"); }
      else { links[i].removeAttribute("aria-current"); }
    }
    var view = VIEWS[r.name];
    Promise.resolve().then(function () { return view(r, seq); }).catch(function (e) {
      if (seq === navSeq) { XY.setState(r.name, "error"); }
      XY.showError("页面渲染失败", e);
    });
  }

  function stale(seq) { return seq !== navSeq; }

  function init() {
    byId("error-clear").addEventListener("click", XY.clearErrors);
    window.addEventListener("hashchange", route);
    window.addEventListener("unhandledrejection", function (ev) { XY.showError("未处理的错误", ev.reason); });
    XY.loadReference();
    // who is signed in first: what each page shows follows the role
    XY.refreshSession().then(function () {
      started = true;
      route();
      document.body.setAttribute("data-ready", "true");
    });
  }

  Object.assign(XY, {
    hooks: hooks, addView: addView, go: go, hashFor: hashFor, route: route, stale: stale, parseHash: parseHash,
    current: function () { return current; }, started: function () { return started; }
  });

  // deferred scripts run in order before DOMContentLoaded: every domain folder has added its views by then
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { setTimeout(init, 0); }
}(window.XY));
