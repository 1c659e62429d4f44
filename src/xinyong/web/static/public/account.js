// 异议与信用修复 (122号 Art.18): an evaluated subject signs in with its own account (username and password; the
// short-lived sign-in token lives in this tab only), files an objection or a repair application with evidence
// through POST /api/v1/cases (channel "portal"), and follows its cases step by step.
import { day, t } from "./i18n.js";
import { api, field, h, setToken, showErrors, status, table, token } from "./dom.js";

const ACCEPT = ".pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png";

async function signedIn() {
  if (!token()) return null;
  const me = await api("/api/v1/public/account", { auth: true });
  if (me.ok) return me.data;
  setToken(null); // expired, revoked, or not a subject account
  return null;
}

export async function accountView(params) {
  const section = h("section", { "data-testid": "view-account" });
  const refresh = async () => section.replaceWith(await accountView(params));
  const me = await signedIn();
  if (!me) {
    section.append(h("h1", {}, t("accountTitle")), loginForm(refresh));
    return section;
  }
  const [page, cases] = await Promise.all([
    api(`/api/v1/public/subjects/${encodeURIComponent(me.ref)}`), api("/api/v1/cases", { auth: true })]);
  const logout = h("button", { type: "button", "data-testid": "logout" }, t("logoutBtn"));
  logout.addEventListener("click", async () => {
    await api("/api/v1/logout", { method: "POST", auth: true });
    setToken(null);
    await refresh();
  });
  section.append(
    h("h1", {}, t("accountTitle")),
    h("p", { class: "meta", "data-testid": "signed-in" }, t("signedInAs", { name: me.name, code: me.code }), " ",
      h("a", { href: `#/subject/${encodeURIComponent(me.ref)}` }, t("myPage")), " ", logout),
    fileForm(me, page.ok ? page.data : null, params.get("record")),
    casesSection(cases));
  return section;
}

function loginForm(refresh) {
  const user = h("input", { name: "username", autocomplete: "username", required: true, "data-testid": "login-user" });
  const pass = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true,
    "data-testid": "login-password" });
  const errors = h("div", { class: "errors", role: "alert", "data-testid": "login-error" });
  const form = h("form", { class: "card narrow", "data-testid": "login-form", "aria-labelledby": "login-h" },
    h("h2", { id: "login-h" }, t("loginTitle")), h("p", { class: "note" }, t("loginNote")),
    field(t("username"), user), field(t("password"), pass),
    h("button", { type: "submit", class: "primary", "data-testid": "login-submit" }, t("loginBtn")), errors);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const res = await api("/api/v1/login", { method: "POST", body: { username: user.value, password: pass.value } });
    if (!res.ok) { showErrors(errors, res, form); return; }
    if (res.data.role !== "subject") {
      setToken(res.data.token);
      await api("/api/v1/logout", { method: "POST", auth: true }); // a staff session is not for the portal
      setToken(null);
      errors.replaceChildren(status(t("notSubject"), "error"));
      return;
    }
    setToken(res.data.token);
    await refresh();
  });
  return form;
}

function fileForm(me, page, record) {
  const kind = h("fieldset", { class: "choices" }, h("legend", {}, t("caseKind")),
    ["objection", "repair"].map((k) => h("label", {}, h("input", { type: "radio", name: "kind", value: k,
      checked: k === "objection", "data-testid": `kind-${k}` }), ` ${t(k === "objection" ? "kindObjection" : "kindRepair")}`)));
  const target = h("select", { name: "target", "data-testid": "file-target" },
    (page?.grades ?? []).map((g) => h("option", { value: `scope:${g.scope}` }, t("targetEval", { scope: g.scope_name }))),
    (page?.records ?? []).map((r) => h("option", { value: `record:${r.id}`, selected: String(r.id) === record },
      t("targetRecord", { id: r.id, date: day(r.act_date), item: r.item_name.slice(0, 40) }))));
  const statement = h("textarea", { name: "statement", rows: "5", maxlength: "5000", required: true,
    "data-testid": "file-statement" });
  const evidence = h("input", { type: "file", name: "file", accept: ACCEPT, "data-testid": "file-evidence" });
  const errors = h("div", { class: "errors", role: "alert", "data-testid": "file-error" });
  const done = h("div", { "aria-live": "polite", "data-testid": "file-done" });
  const form = h("form", { class: "card", "data-testid": "file-form", "aria-labelledby": "file-h" },
    h("h2", { id: "file-h" }, t("fileTitle")), kind, field(t("targetLabel"), target),
    field(t("statement"), statement), field(t("evidence"), evidence),
    h("button", { type: "submit", class: "primary", "data-testid": "file-submit" }, t("fileBtn")), errors, done);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const [what, value] = target.value.split(":");
    const body = { kind: form.querySelector("input[name=kind]:checked").value, subject: me.code,
      statement: statement.value, channel: "portal" };
    if (what === "record") body.record_id = Number(value);
    else body.industry = value;
    const res = await api("/api/v1/cases", { method: "POST", body, auth: true });
    if (!res.ok) { showErrors(errors, res, form); return; }
    showErrors(errors, null, form);
    const id = res.data.id;
    if (evidence.files.length) {
      const up = await upload(id, evidence.files[0]);
      if (!up.ok) { showErrors(errors, up, form); }
    }
    done.replaceChildren(status(t("filed", { id }), "ok"));
    location.hash = `#/account/case/${id}`;
  });
  return form;
}

function upload(caseId, file) {
  const data = new FormData();
  data.append("file", file, file.name);
  return api(`/api/v1/cases/${caseId}/evidence`, { method: "POST", form: data, auth: true });
}

function targetText(c) {
  if (c.record_id) return t("recordRef", { id: c.record_id });
  if (c.listing_id) return t("listingRef", { id: c.listing_id });
  return c.industry === "general" ? t("general") : (c.industry ?? "—");
}

function outcomeText(c) {
  if (!c.outcome) return "—";
  return c.outcome === "upheld" ? t("upheld") : t("rejectedOutcome");
}

function casesSection(res) {
  const head = h("h2", { id: "cases-h" }, t("myCases"));
  if (!res.ok) {
    const box = h("div", { class: "errors", role: "alert" });
    showErrors(box, res);
    return h("section", { class: "card", "aria-labelledby": "cases-h" }, head, box);
  }
  if (!res.data.length) return h("section", { class: "card", "aria-labelledby": "cases-h" }, head, status(t("noCases")));
  const rows = res.data.map((c) => h("tr", { "data-testid": "case-row", "data-id": c.id, "data-state": c.state },
    h("td", {}, h("a", { href: `#/account/case/${c.id}` }, `#${c.id}`)),
    h("td", {}, t(c.kind)), h("td", {}, targetText(c)), h("td", {}, t(`st_${c.state}`)),
    h("td", {}, day(c.received_on)),
    h("td", {}, day(c.due_on), c.overdue ? h("strong", { class: "warn" }, ` ${t("overdue")}`) : null),
    h("td", {}, outcomeText(c))));
  return h("section", { class: "card", "aria-labelledby": "cases-h" }, head,
    table(t("myCases"), [t("colCase"), t("caseKind"), t("colTarget"), t("colState"), t("colReceived"), t("colDue"),
      t("colOutcome")], rows, { "data-testid": "cases-table" }));
}

export async function caseView(id) {
  const back = h("p", {}, h("a", { href: "#/account" }, `← ${t("myCases")}`));
  const res = await api(`/api/v1/cases/${id}`, { auth: true });
  if (!res.ok) {
    const box = h("div", { class: "errors", role: "alert" });
    showErrors(box, res);
    return h("section", { "data-testid": "view-case" }, back, box);
  }
  const c = res.data;
  const facts = [
    [t("caseKind"), t(c.kind)], [t("colTarget"), targetText(c)], [t("colState"), t(`st_${c.state}`)],
    [t("colReceived"), day(c.received_on)], [t("colDue"), `${day(c.due_on)}${c.overdue ? ` ${t("overdue")}` : ""}`],
    [t("colOutcome"), outcomeText(c)], [t("opinion"), c.opinion ?? "—"], [t("statement"), c.statement]];
  const steps = c.steps.map((s) => h("li", { "data-testid": "case-step", "data-state": s.state },
    h("strong", {}, t(`st_${s.state}`)), ` ${day(s.at)} ${String(s.at).slice(11, 16)}`,
    s.note ? h("div", { class: "note" }, s.note) : null));
  const files = c.evidence.map((e) => h("li", { "data-testid": "case-evidence" },
    `${e.name} (${Math.ceil(e.size / 1024)} KB, ${day(e.uploaded_at)})`));
  return h("section", { "data-testid": "view-case", "data-state": c.state },
    back,
    h("h1", {}, t("caseTitle", { id: c.id })),
    h("dl", { class: "facts", "data-testid": "case-facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    h("section", { class: "card", "aria-labelledby": "steps-h" }, h("h2", { id: "steps-h" }, t("timeline")),
      h("ol", { class: "timeline" }, steps)),
    h("section", { class: "card", "aria-labelledby": "ev-h" }, h("h2", { id: "ev-h" }, t("evidenceList")),
      files.length ? h("ul", {}, files) : status(t("none")),
      c.state !== "closed" ? evidenceForm(c.id) : null));
}

function evidenceForm(caseId) {
  const input = h("input", { type: "file", name: "file", accept: ACCEPT, required: true });
  const errors = h("div", { class: "errors", role: "alert" });
  const form = h("form", { class: "inline" }, field(t("addEvidence"), input),
    h("button", { type: "submit" }, t("uploadBtn")), errors);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!input.files.length) return;
    const res = await upload(caseId, input.files[0]);
    if (!res.ok) { showErrors(errors, res, form); return; }
    location.hash = `#/account/case/${caseId}?u=${Date.now()}`;
  });
  return form;
}
