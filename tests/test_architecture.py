"""The architecture of docs/architecture.md, enforced: dependencies point one way, no package import cycle,
commits only in the unit of work, queries only in repositories, no hidden function-local imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "xinyong"
ROOT = SRC.parents[1]

# Modules that are the database layer itself or the unit of work: they may build statements and commit.
INFRASTRUCTURE = {"core/uow.py", "db/session.py", "db/migrate.py", "auth/audit.py", "archive/service.py"}
QUERY_BUILDERS = {"select", "insert", "update", "delete", "text", "exists", "aliased"}
SESSION_QUERIES = {"execute", "scalars", "scalar", "query"}


def _modules() -> list[tuple[str, ast.Module]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("db/migrations/"):
            continue  # Alembic scripts: schema changes, not application code
        out.append((rel, ast.parse(path.read_text(encoding="utf-8"), rel)))
    return out


def test_the_import_contracts_of_pyproject_hold() -> None:
    """layers + acyclic_siblings (pyproject [tool.importlinter]); the report names each offending import."""
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "2 kept, 0 broken" in run.stdout, run.stdout[-2000:]


# Runs that are correct part by part and commit each part through their unit of work (`uow.commit()`, never the
# session's), when their caller asks: the batch re-evaluation's chunks (issue 10: a first run at 10^6 subjects in
# one transaction grew without bound).
COMMITS_PART_BY_PART = {"evaluation/service.py"}


def _commits_through_its_unit_of_work(node: ast.Call) -> bool:
    f = node.func
    return isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "uow"


def test_only_the_unit_of_work_commits() -> None:
    offenders = [f"{rel}:{node.lineno}" for rel, tree in _modules() if rel not in INFRASTRUCTURE
                 for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and node.func.attr == "commit"
                 and not (rel in COMMITS_PART_BY_PART and _commits_through_its_unit_of_work(node))]
    assert offenders == []


def _is_repository(rel: str) -> bool:
    return rel.endswith("repository.py") or rel in INFRASTRUCTURE


def test_query_constructions_live_only_in_repositories() -> None:
    """select()/insert()/…/text() and session.execute/scalars/scalar/query only in a domain's repository.py."""
    offenders = []
    for rel, tree in _modules():
        if _is_repository(rel):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            if isinstance(f, ast.Name) and f.id in QUERY_BUILDERS:
                offenders.append(f"{rel}:{node.lineno} {f.id}()")
            elif isinstance(f, ast.Attribute) and f.attr in SESSION_QUERIES:
                offenders.append(f"{rel}:{node.lineno} .{f.attr}()")
    assert offenders == []


def test_no_function_local_imports_without_a_written_reason() -> None:
    """An import inside a function hides a dependency from the graph; allowed only with a comment on its line
    saying why (e.g. `# heavy: only the serve command needs uvicorn`)."""
    offenders = []
    for rel, tree in _modules():
        lines = (SRC / rel).read_text(encoding="utf-8").splitlines()
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom) and "#" not in lines[node.lineno - 1]:
                    offenders.append(f"{rel}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize("layer_file", ["messages", "core"])
def test_the_platform_imports_no_domain(layer_file: str) -> None:
    domains = {"archive", "governance", "evidence", "evaluation", "records", "users", "subjects", "reference",
               "calendar", "auth"}
    found = []
    for rel, tree in _modules():
        if not rel.startswith(layer_file + "/"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level >= 1:
                head = node.module.split(".")[0]
                if node.level == 2 and head in domains:
                    found.append(f"{rel}:{node.lineno} {node.module}")
    assert found == []
