"""The roles × actions table (122号 Art.4 职责分工, 122号 Art.5, 122号 Art.27) — the one place that says who may do what.

`xinyong.deps.require(action)` looks the action up here (401 without a token, 403 for a role not listed).
`xinyong.auth.service.PERMISSIONS` is this same dict object.
Every write endpoint under /api/v1 must name one of these actions (tests/auth/test_authorization_matrix.py
tries every role against every write endpoint and fails loudly for an endpoint it does not know).

Roles (spec D1-01…D1-11):
- admin        system administrator (deployment), may do everything except approve (122号 Art.12: the leader).
- coordinator  统筹部门 法制处 (122号 Art.4(1)): builds the evaluation system, general evaluation, general standard and
               collection catalogue (122号 Art.7, 122号 Art.11); may enter and withdraw records of any department.
- business     业务部门 (122号 Art.4(2), 122号 Art.27), bound to ONE department. Enters and withdraws records only
               (a) in the name of its own department (122号 Art.8 谁生成、谁录入、谁负责) and
               (b) of items it may report: every general item (通用指标: any department reports the general
                   information it generates) and the industry items of the industries whose regulator
                   (industries.regulator, 122号 Art.4(2) 行业监管部门) is its department, plus the industries that a
                   regulator has organised it to report for (`industry_reporters` in auth/security.yaml;
                   122号 Art.4(2) "组织规划实施、审批、执法等相关部门"; empty by default).
               Rule (b) binds business tokens only: coordinator/support/admin enter on behalf of any department
               (122号 Art.4(3) 支撑部门 repairs problem data on the business departments' feedback).
- hall         政务服务大厅 (122号 Art.4(1), 122号 Art.18): completes credit information (registers subjects); receives,
               routes, reports and closes objection and repair cases.
- support      支撑部门 科技信息处/大数据中心 (122号 Art.4(3), 122号 Art.5): operates the system — tokens, calendar apply,
               batch evaluation, data repair (records).
- leader       主管领导 (122号 Art.12, 122号 Art.17, 122号 Art.24): approves; reads everything else.
- viewer       reads only.
- subject      an evaluated subject's own account (122号 Art.2, 122号 Art.18): reads only its own subject, evaluation,
               records and archive (403 for any other subject); resident ID numbers of others never shown.
"""

from __future__ import annotations

ROLES = ("admin", "coordinator", "business", "hall", "support", "leader", "viewer", "subject")

_EVERYONE = frozenset(ROLES)

# action → roles allowed. Keep one line per action, with the article that gives the duty.
POLICY: dict[str, frozenset[str]] = {
    # 122号 Art.4(1) 政务服务大厅 统筹信用信息收集、完善; 业务部门 信用数据上报; 122号 Art.4(3) 支撑部门 归集
    "subjects.create": frozenset({"admin", "coordinator", "business", "hall", "support"}),
    # 122号 Art.8 信息归集 (谁生成、谁录入); business further bound to its department and its items (see above)
    "records.create": frozenset({"admin", "coordinator", "business", "support"}),
    # spec X-02 名单状态: lists arrive by docking (support) or from the departments that collect them; 122号 Art.16(1)
    "listings.manage": frozenset({"admin", "coordinator", "business", "support"}),
    # 122号 Art.6 基础信用信息 (the national level) is collected like other records; 122号 Art.13 re-seeds from it
    "national_grades.record": frozenset({"admin", "coordinator", "business", "hall", "support"}),
    "records.withdraw": frozenset({"admin", "coordinator", "business", "support"}),
    # 122号 Art.10 信息纠错: 支撑部门配合业务部门核对、修改 — same roles as withdrawal (business: own department)
    "records.correct": frozenset({"admin", "coordinator", "business", "support"}),
    # 122号 Art.19 证明材料: the hall (政务服务大厅) receives objection/repair materials (122号 Art.18)
    "evidence.attach": frozenset({"admin", "coordinator", "business", "hall", "support"}),
    "evidence.read": frozenset({"admin", "coordinator", "business", "hall", "support", "leader"}),
    # 122号 Art.11(1), 122号 Art.12, 122号 Art.7: the coordinator (法制处) drafts the general standard and the catalogue, a
    # business department drafts the standard of the industry it regulates (industries.regulator, checked in
    # governance/service.py), admin may do either; only the leader in charge (主管领导) approves (D1-08).
    "standards.draft": frozenset({"admin", "coordinator", "business"}),
    "standards.consultation": frozenset({"admin", "coordinator", "business"}),
    "standards.approve": frozenset({"leader"}),
    # 122号 Art.12 向社会公开征求意见: the drafting department answers each public comment before approval
    # (same roles as drafting; the department is checked in governance/service.py). Submitting a comment
    # needs no token (the public), so it has no row here.
    "standards.comment_disposition": frozenset({"admin", "coordinator", "business"}),
    # 122号 Art.19 电子信用档案: reading a full archive is a read of personal data (token + audit trail); every role
    # may read organisations' archives, individuals' need PERSONAL_DATA_ROLES (or their own subject account),
    # checked in archive/views.py
    "archive.read": _EVERYONE,
    # 122号 Art.5 支撑部门 建设信用评价管理系统并开展运维: interface tokens for system docking (122号 Art.8 系统对接)
    "tokens.manage": frozenset({"admin", "support"}),
    # a signed-in user ends its own session
    "session.logout": _EVERYONE,
    # staff accounts (122号 Art.4 职责分工 → roles); 122号 Art.5 运维
    "users.manage": frozenset({"admin", "support"}),
    # operations run from the CLI today (listed so the table is complete): 122号 Art.5 运维
    "calendar.apply": frozenset({"admin", "support"}),
    "evaluation.run": frozenset({"admin", "support"}),
    # 122号 Art.27 业务部门 "…等": the organisation table is open and kept by the coordinating department (D1-04)
    "departments.manage": frozenset({"admin", "coordinator"}),
    # reading the audit trail (122号 Art.19 全流程可追溯)
    "audit.read": frozenset({"admin", "coordinator", "support"}),
    # 122号 Art.18 异议处理及信用修复: the subject applies (its own account: its own subject only, checked in
    # cases/service.py) or staff file on its behalf; the hall (政务服务大厅) routes, reports to the municipal credit
    # authority and closes; the routed business department (own department only) or branch verifies and issues
    # the review opinion (审核意见).
    "cases.file": frozenset({"admin", "coordinator", "hall", "subject"}),
    "cases.intake": frozenset({"admin", "hall"}),
    "cases.verify": frozenset({"admin", "coordinator", "business"}),
    "cases.read": frozenset({"admin", "coordinator", "business", "hall", "support", "leader", "subject"}),
    # 122号 Art.8 last paragraph: 业务部门 enter commitment items and run the closed loop with the supervisors
    "commitments.manage": frozenset({"admin", "coordinator", "business", "support"}),
    # 44号 Task 14 及时共享、及时更新: receivers of the downstream changes are registered by operations (122号 Art.5)
    "receivers.manage": frozenset({"admin", "support"}),
    "changes.read": frozenset({"admin", "coordinator", "support"}),
    # a signed-in user or account reads its own notices
    "notifications.read": _EVERYONE,
    # the daily jobs (CLI `xinyong jobs run`; listed so the table is complete): 122号 Art.5 运维
    "jobs.run": frozenset({"admin", "support"}),
    # 122号 Art.20, 21, 24: business departments draft the measures lists of their industries (the coordinator
    # its consolidated lists); the leader in charge of the industry approves; the coordinating department files
    # (备案) and publishes them
    "measures.draft": frozenset({"admin", "coordinator", "business"}),
    "measures.approve": frozenset({"leader"}),
    "measures.file": frozenset({"admin", "coordinator"}),
    # 122号 Art.22, 23, 25: the processes that apply the grade ask the decision service (every answer is logged);
    # 122号 Art.26 social bodies read through named, scoped tokens (viewer) with purpose and legal basis
    "decisions.query": frozenset({"admin", "coordinator", "business", "hall", "support", "leader", "viewer"}),
    # 122号 Art.25 监督检查计划; 44号 Task 12 无事不扰 whitelist; inspection results flow back as records
    "inspections.plan": frozenset({"admin", "coordinator", "business"}),
    "inspections.record": frozenset({"admin", "coordinator", "business"}),
    # 122号 Art.17 排行榜: a business department sets it up; published only after the leader in charge approves
    "rankings.draft": frozenset({"admin", "coordinator", "business"}),
    "rankings.approve": frozenset({"leader"}),
}

# Roles whose work needs full resident ID numbers (spec G1-17); others see them masked (110105********002X).
PERSONAL_DATA_ROLES = frozenset({"admin", "coordinator", "business", "hall", "support"})

# Issue 12 item 2 (separation of duties): no API credential mints a credential with more power than a docking
# system needs. Leader, coordinator and admin credentials are created only on the server console
# (`xinyong user create` / `token create`, audited as "cli"), so no single operator token can draft, consult and
# approve a standard (122号 Art.12 主管领导审定) or consolidate the lists (122号 Art.4(1) 统筹部门).
CONSOLE_ONLY_ROLES = frozenset({"admin", "coordinator", "leader"})
GRANTABLE_BY: dict[str, frozenset[str]] = {
    "admin": frozenset(ROLES) - CONSOLE_ONLY_ROLES,
    "support": frozenset(ROLES) - CONSOLE_ONLY_ROLES,
}
# Support may revoke any token but an administrator's (admin: any) — revoking takes power away, never adds it.
REVOCABLE_BY: dict[str, frozenset[str]] = {
    "admin": frozenset(ROLES),
    "support": frozenset(ROLES) - {"admin"},
}


def allowed(action: str, role: str) -> bool:
    return role in POLICY[action]

# Staff roles see records withdrawn after objection or repair (with their status); the public and viewers do not
# (spec G1-17; issue 3 item 5).
STAFF_ROLES = frozenset({"admin", "coordinator", "business", "hall", "support", "leader"})
