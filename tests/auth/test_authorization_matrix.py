"""Every role against every write endpoint (122号 第四条 职责分工; issue 3 items 6 and 8).

The write endpoints are discovered from the app (POST/PUT/PATCH/DELETE under /api/v1, except /login), so an
endpoint added later is covered automatically — and this test fails loudly until it is listed in ENDPOINTS
below with the action it requires (the roles of each action live in src/xinyong/auth/policy.py POLICY).

For each endpoint and role the request carries an empty JSON body and made-up path parameters: a role the
table refuses must get 403 (the role check comes before any input check); a role the table allows must get
anything but 401/403/5xx (typically 422 or 404, i.e. it got past authorization). Without a token: 401.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import auth, new_uscc
from xinyong.auth.policy import POLICY, ROLES
from xinyong.bootstrap import unit_of_work
from xinyong.users.tokens import create_token

# "METHOD path" → the action of auth/policy.py POLICY it requires. Add every new write endpoint here.
ENDPOINTS: dict[str, str] = {
    "POST /api/v1/subjects": "subjects.create",
    "POST /api/v1/records": "records.create",
    "POST /api/v1/listings": "listings.manage",
    "POST /api/v1/listings/{listing_id}/removal": "listings.manage",
    "POST /api/v1/subjects/{code}/national-grades": "national_grades.record",
    "POST /api/v1/records/bulk": "records.create",
    "POST /api/v1/records/import": "records.create",
    "POST /api/v1/records/{record_id}/withdraw": "records.withdraw",
    "POST /api/v1/records/{record_id}/correct": "records.correct",
    "POST /api/v1/records/{record_id}/evidence": "evidence.attach",
    "POST /api/v1/standards": "standards.draft",
    "PUT /api/v1/standards/{version}": "standards.draft",
    "POST /api/v1/standards/{version}/consultation": "standards.consultation",
    "POST /api/v1/standards/{version}/approve": "standards.approve",
    "POST /api/v1/standards/{version}/comments/{comment_id}/disposition": "standards.comment_disposition",
    "POST /api/v1/logout": "session.logout",
    "POST /api/v1/tokens": "tokens.manage",
    "POST /api/v1/tokens/{token_id}/revoke": "tokens.manage",
    "POST /api/v1/departments": "departments.manage",
    "PUT /api/v1/departments/{code}": "departments.manage",
    "POST /api/v1/notifications/{notification_id}/read": "notifications.read",
    "PUT /api/v1/notifications/contact": "notifications.read",
    "POST /api/v1/inspectors": "inspections.plan",
    "POST /api/v1/inspection-plans": "inspections.plan",
    "POST /api/v1/whitelist": "inspections.plan",
    "POST /api/v1/whitelist/{entry_id}/removal": "inspections.plan",
    "POST /api/v1/inspections": "inspections.record",
    "POST /api/v1/cases": "cases.file",
    "POST /api/v1/cases/{case_id}/evidence": "cases.file",
    "POST /api/v1/cases/{case_id}/route": "cases.intake",
    "POST /api/v1/cases/{case_id}/accept": "cases.verify",
    "POST /api/v1/cases/{case_id}/opinion": "cases.verify",
    "POST /api/v1/cases/{case_id}/extend": "cases.verify",
    "POST /api/v1/cases/{case_id}/report": "cases.intake",
    "POST /api/v1/cases/{case_id}/resolve": "cases.intake",
    "POST /api/v1/cases/{case_id}/close": "cases.intake",
    "POST /api/v1/commitments": "commitments.manage",
    "POST /api/v1/commitments/{commitment_id}/fulfil": "commitments.manage",
    "POST /api/v1/commitments/{commitment_id}/breach": "commitments.manage",
    "POST /api/v1/receivers": "receivers.manage",
    "POST /api/v1/receivers/{receiver_id}/disable": "receivers.manage",
    "POST /api/v1/receivers/{receiver_id}/redeliver": "receivers.manage",
    "POST /api/v1/measures": "measures.draft",
    "POST /api/v1/measures/import": "measures.draft",
    "PUT /api/v1/measures/{list_id}": "measures.draft",
    "POST /api/v1/measures/{list_id}/approve": "measures.approve",
    "POST /api/v1/measures/{list_id}/file": "measures.file",
    "POST /api/v1/rankings": "rankings.draft",
    "POST /api/v1/rankings/{ranking_id}/approve": "rankings.approve",
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# sign-in, and a public comment on a draft under consultation (122号 Art.12 向社会公开征求意见), need no token
UNAUTHENTICATED = {"POST /api/v1/login", "POST /api/v1/standards/{version}/comments"}


def _routes(routes: list) -> Iterator[APIRoute]:  # type: ignore[type-arg]
    for r in routes:
        if hasattr(r, "original_router"):  # FastAPI ≥0.16x keeps included routers as branches
            yield from _routes(r.original_router.routes)
        elif isinstance(r, APIRoute):
            yield r
        elif hasattr(r, "routes"):
            yield from _routes(r.routes)


def _permissions(dependant) -> set[str]:  # type: ignore[no-untyped-def]
    found: set[str] = set()
    for d in dependant.dependencies:
        if getattr(d.call, "permission", None):
            found.add(d.call.permission)
        found |= _permissions(d)
    return found


def write_endpoints(app) -> dict[str, APIRoute]:  # type: ignore[no-untyped-def]
    out = {}
    for r in _routes(app.routes):
        if not r.path.startswith("/api/v1"):
            continue
        for m in r.methods & WRITE_METHODS:
            key = f"{m} {r.path}"
            if key not in UNAUTHENTICATED:
                out[key] = r
    return out


@pytest.mark.article("122号 Art.4")
def test_every_write_endpoint_is_in_the_authorization_table_122_art4(client: TestClient) -> None:
    found = write_endpoints(client.app)
    missing = sorted(set(found) - set(ENDPOINTS))
    assert not missing, (
        "write endpoints without an entry in the authorization matrix: " + ", ".join(missing)
        + ". Add each to ENDPOINTS in tests/auth/test_authorization_matrix.py with the action it requires, "
          "protect it with xinyong.deps.require(action), and give the action its roles in auth/policy.py POLICY.")
    gone = sorted(set(ENDPOINTS) - set(found))
    assert not gone, f"ENDPOINTS lists endpoints the app no longer has: {gone}"
    for key, route in found.items():
        perms = _permissions(route.dependant)
        assert perms == {ENDPOINTS[key]}, (
            f"{key} requires {sorted(perms) or 'no permission at all'}, the matrix says {ENDPOINTS[key]!r}: "
            "every write endpoint must use xinyong.deps.require(<action>)")
        assert ENDPOINTS[key] in POLICY, f"action {ENDPOINTS[key]} of {key} is missing from auth/policy.py POLICY"


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "999999", path)


@pytest.mark.article("122号 Art.4")
def test_every_role_against_every_write_endpoint_122_art4(client: TestClient, clean: Engine,
                                                          tokens: dict[str, str]) -> None:
    subject = client.post("/api/v1/subjects", headers=auth(tokens["admin"]), json={
        "code": new_uscc(), "name": "矩阵测试单位", "kind": "organization", "national_grade": "B",
        "industries": []}).json()["code"]
    failures = []
    for key in sorted(write_endpoints(client.app)):
        if key not in ENDPOINTS:
            continue  # reported by the test above
        method, path = key.split(" ", 1)
        r = client.request(method, _url(path), json={})
        if r.status_code != 401:
            failures.append(f"{key} without token → {r.status_code}, expected 401")
        allowed = POLICY[ENDPOINTS[key]]
        for role in ROLES:
            with unit_of_work(clean) as s:  # a fresh token each time: logout revokes the one it is called with
                token = create_token(s.session, f"matrix-{role}", role, "kanchasheji" if role == "business" else None,
                                     subject_code=subject if role == "subject" else None)
            r = client.request(method, _url(path), json={}, headers=auth(token))
            if role in allowed:
                if r.status_code in (401, 403) or r.status_code >= 500:
                    failures.append(f"{key} as {role} → {r.status_code} (allowed by {ENDPOINTS[key]}): {r.text[:200]}")
            elif r.status_code != 403:
                failures.append(f"{key} as {role} → {r.status_code}, expected 403 ({ENDPOINTS[key]})")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_policy_table_names_only_known_roles(role: str) -> None:
    for action, roles in POLICY.items():
        assert roles <= set(ROLES), f"{action} names unknown roles {roles - set(ROLES)}"
    assert any(role in roles for roles in POLICY.values()) or role == "viewer"
