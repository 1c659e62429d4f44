// 信用查询: search a subject by name or code, and its public page — grade and level per industry, public records
// (122号 Art.13, Art.18). The query is kept in memory, never in the address: a whole ID number searched for an
// individual stays out of the browser history (spec G1-17).
import { day, t } from "./i18n.js";
import { api, field, gradeBadge, h, showErrors, status, table, token } from "./dom.js";

const PAGE_SIZE = 20;
const last = { q: "", offset: 0 };

export async function searchView() {
  const input = h("input", { type: "search", name: "q", maxlength: "100", required: true, autocomplete: "off",
    "data-testid": "search-input", value: last.q });
  const errors = h("div", { class: "errors", role: "alert", "data-testid": "search-error" });
  const results = h("div", { "data-testid": "search-results", "aria-live": "polite" });
  const form = h("form", { class: "search", role: "search", "data-testid": "search-form" },
    field(t("searchLabel"), input, t("searchHint")),
    h("button", { type: "submit", class: "primary" }, t("searchBtn")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    last.q = input.value.trim();
    last.offset = 0;
    run(results, errors, form);
  });
  if (last.q) await run(results, errors, form);
  return h("section", { "data-testid": "view-search" },
    h("h1", {}, t("searchTitle")), form, errors, results);
}

async function run(results, errors, form) {
  if (!last.q) return;
  results.replaceChildren(status(t("loading")));
  const params = new URLSearchParams({ q: last.q, limit: String(PAGE_SIZE), offset: String(last.offset) });
  const res = await api(`/api/v1/public/subjects?${params}`);
  if (!res.ok) {
    results.replaceChildren();
    showErrors(errors, res, form);
    return;
  }
  showErrors(errors, null, form);
  const { total, items } = res.data;
  if (!items.length) {
    results.replaceChildren(status(t("noResults")));
    return;
  }
  const rows = items.map((s) => h("tr", { "data-testid": "result-row", "data-ref": s.ref },
    h("td", {}, h("a", { href: `#/subject/${encodeURIComponent(s.ref)}` }, s.name)),
    h("td", { class: "code" }, s.code),
    h("td", {}, t(s.kind)),
    h("td", {}, s.grade ? gradeBadge(s.grade) : t("notEvaluated")),
    h("td", {}, s.level ?? "—")));
  const pager = h("div", { class: "pager" },
    last.offset > 0 ? h("button", { type: "button", onclick: () => page(-1, results, errors, form) }, t("prev")) : null,
    last.offset + PAGE_SIZE < total
      ? h("button", { type: "button", onclick: () => page(1, results, errors, form) }, t("more")) : null);
  results.replaceChildren(h("p", { "data-testid": "result-count" }, t("resultsCount", { n: total })),
    table(t("searchTitle"), [t("colName"), t("colCode"), t("colKind"), t("colGrade"), t("colLevel")], rows),
    pager);
}

function page(step, results, errors, form) {
  last.offset = Math.max(0, last.offset + step * PAGE_SIZE);
  run(results, errors, form);
}

async function ownRef() {
  if (!token()) return null;
  const me = await api("/api/v1/public/account", { auth: true });
  return me.ok ? me.data.ref : null;
}

export async function subjectView(ref) {
  const [res, mine] = await Promise.all([api(`/api/v1/public/subjects/${encodeURIComponent(ref)}`), ownRef()]);
  const back = h("p", {}, h("a", { href: "#/" }, `← ${t("back")}`));
  if (!res.ok) {
    const box = h("div", { class: "errors", role: "alert" });
    showErrors(box, res);
    return h("section", { "data-testid": "view-subject" }, back, box);
  }
  const s = res.data;
  const own = mine === s.ref;
  return h("section", { "data-testid": "view-subject", "data-ref": s.ref },
    back,
    h("h1", { "data-testid": "subject-name" }, s.name),
    h("p", { class: "meta" }, h("span", { class: "code", "data-testid": "subject-code" }, s.code), " · ", t(s.kind)),
    gradesSection(s.grades),
    recordsSection(s, own));
}

function gradesSection(grades) {
  const rows = grades.map((g) => h("tr", { "data-testid": "grade-row", "data-scope": g.scope, "data-grade": g.grade,
    "data-level": g.level, "data-fused": String(g.fused) },
    h("th", { scope: "row" }, g.scope_name),
    h("td", { class: "num" }, g.score),
    h("td", {}, gradeBadge(g.grade)),
    h("td", {}, g.level),
    h("td", {}, g.fused ? h("strong", { class: "warn" }, t("yes")) : t("no")),
    h("td", {}, day(g.as_of))));
  return h("section", { class: "card", "aria-labelledby": "grades-h" },
    h("h2", { id: "grades-h" }, t("gradesTitle")),
    h("p", { class: "note" }, t("gradesNote")),
    table(t("gradesTitle"), [t("colScope"), t("colScore"), t("colGrade"), t("colLevel"), t("colFused"), t("asOf")],
      rows, { "data-testid": "grades-table" }));
}

function recordsSection(s, own) {
  const rows = s.records.map((r) => h("tr", { "data-testid": "record-row", "data-id": r.id,
    "data-objection": String(r.under_objection) },
    h("td", {}, day(r.act_date)),
    h("td", {}, r.item_name, h("br"), h("small", { class: "code" }, r.item)),
    h("td", {}, r.polarity ? t(r.polarity) : "—"),
    h("td", {}, r.department_name),
    h("td", {}, r.decision_no ?? "—"),
    h("td", {}, r.under_objection
      ? h("span", { class: "flag", "data-testid": "objection-flag" }, t("underObjection")) : t("inEffect"),
    r.shown_until
      ? h("div", {}, h("small", { "data-testid": "shown-until" }, t("shownUntil", { day: day(r.shown_until) })))
      : null,
    own && !r.under_objection
      ? h("div", {}, h("a", { href: `#/account?record=${r.id}`, "data-testid": "object-link" }, t("objectThis")))
      : null)));
  return h("section", { class: "card", "aria-labelledby": "records-h" },
    h("h2", { id: "records-h" }, t("recordsTitle")),
    h("p", { class: "note" }, t("recordsNote")),
    s.records.length
      ? table(t("recordsTitle"), [t("colDate"), t("colItem"), t("colPolarity"), t("colDept"), t("colDecision"),
        t("colStatus")], rows, { "data-testid": "records-table" })
      : status(t("none")),
    s.records_total > s.records.length
      ? h("p", { class: "note" }, t("recordsShown", { shown: s.records.length, total: s.records_total })) : null);
}
