"""Who acts (122号 第四条 职责分工): the principal behind a request, a CLI command or a job."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The token's (or command's) name, role and, for business departments, its department."""

    name: str
    role: str
    department: str | None = None
    channel: str = "interface"  # interface (系统对接) | manual (人工录入) | import
    origin: str = ""
    subject: str | None = None  # role "subject": the code of its own subject (122号 第二条)
    # role "leader": the standards the credential is in charge of ("general" and/or industry codes, 122号 Art.12);
    # empty: not bound, in charge of every standard (docs/decisions.md 25)
    scope: tuple[str, ...] = ()


# Scheduled work (daily refresh, the 1 January re-seed) acts as the system itself.
SYSTEM = Actor(name="system", role="support", origin="job")

# Command-line work (`xinyong init`, `evaluate`, `user …`, `token revoke`, `archive …`) acts as the deployment's
# operator (支撑部门 运维, 122号 第四条(三)); audited as "cli".
OPERATOR = Actor(name="cli", role="admin", channel="manual", origin="cli")
