"""Shared fixtures. Every test that touches the database runs on SQLite and on PostgreSQL; PostgreSQL runs
only when XINYONG_TEST_POSTGRES_URL names a server database (CI sets it). Each run gets fresh databases."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from xinyong.api import create_app
from xinyong.bootstrap import seed_defaults, unit_of_work
from xinyong.core.uow import UnitOfWork
from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine
from xinyong.demo import make_resident_id, make_uscc
from xinyong.schema import Base
from xinyong.users.tokens import create_token

PG_URL = os.environ.get("XINYONG_TEST_POSTGRES_URL")
# Every table but the reference data that `seed_defaults` loads once per database, children before parents.
KEPT_TABLES = frozenset({"departments", "industries", "catalogue_items", "standards", "standard_comments"})
DATA_TABLES = tuple(t.name for t in reversed(Base.metadata.sorted_tables) if t.name not in KEPT_TABLES)
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.skipif(not PG_URL, reason="no PostgreSQL URL"))]


def _fresh_postgres() -> tuple[str, Engine]:
    assert PG_URL
    url = make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{url.database}_t{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_engine(url.set(database=name).render_as_string(hide_password=False))


def _drop_postgres(name: str) -> None:
    assert PG_URL
    url = make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database (through the Alembic migrations) with the default reference data."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "xinyong.db"
        eng = make_engine(f"sqlite:///{path}")
        name = None
    else:
        name, eng = _fresh_postgres()
    upgrade(eng)
    with unit_of_work(eng) as s:
        seed_defaults(s.session)
    yield eng
    eng.dispose()
    if name:
        _drop_postgres(name)


@pytest.fixture
def clean(engine: Engine) -> Engine:
    """The engine with every data table emptied (reference data kept)."""
    with engine.begin() as conn:
        for table in DATA_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
    return engine


@pytest.fixture
def db(clean: Engine) -> Iterator[UnitOfWork]:
    """An open unit of work for service-level tests; what a test leaves uncommitted is rolled back."""
    uow = unit_of_work(clean, writing=False).__enter__()  # SQLite: a deferred BEGIN, like a plain session
    yield uow
    uow.__exit__(RuntimeError, RuntimeError("test over: roll back"), None)


@pytest.fixture
def client(clean: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(clean)) as c:
        yield c


ROLES = ("admin", "coordinator", "business", "hall", "support", "leader", "viewer")


@pytest.fixture
def tokens(clean: Engine) -> dict[str, str]:
    """One token per role; the business token belongs to 勘察设计处 (kanchasheji). The leader's is a sign-in session
    (kind "login"): approvals need the leader in person, never a machine token (issue 12 item 2)."""
    out = {}
    with unit_of_work(clean) as s:
        for role in ROLES:
            out[role] = create_token(s.session, f"test-{role}", role, "kanchasheji" if role == "business" else None,
                                     kind="login" if role == "leader" else "api")
    return out


@pytest.fixture
def manual_token(clean: Engine) -> str:
    """A staff sign-in session (kind "login"): what it enters is 人工录入 (manual), bound by 122号 Art.8(1)."""
    with unit_of_work(clean) as s:
        return create_token(s.session, "test-staff-session", "admin", kind="login")


ARTIFACTS = Path(os.environ.get("XINYONG_TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "build" / "test-artifacts"))


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """Where a test keeps what a person looks at afterwards (issue 11 item 5: screenshots of the main pages): kept
    after the run, unlike tmp_path, under build/test-artifacts/<test module>/ (XINYONG_TEST_ARTIFACTS moves it; CI
    collects the folder). The backend is in the file name's folder so SQLite and PostgreSQL runs do not overwrite
    each other."""
    backend = request.node.callspec.params.get("engine", "") if hasattr(request.node, "callspec") else ""
    folder = ARTIFACTS / request.node.module.__name__.rsplit(".", 1)[-1] / str(backend or "default")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


_rng = random.Random(122)


def new_uscc() -> str:
    return make_uscc(_rng)


def new_resident_id() -> str:
    return make_resident_id(_rng)


def this_year(month: int, day: int) -> date:
    from xinyong.core.clock import beijing_today

    return date(beijing_today().year, month, day)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "spark: runs PySpark in local mode (a JVM; slow): once per backend, not in "
                                       "the clock-date re-runs")
    config.addinivalue_line("markers", "fuzz: schemathesis over the whole API (bounded; slow): not in the clock-date "
                                       "re-runs")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every `@pytest.mark.article(...)` names well-formed citation keys ("122号 Art.16(6)"): a typo in a key would
    hide the test from `grep` and from tests/rules/test_citation.py."""
    from xinyong.rules.citation import parse

    for item in items:
        for mark in item.iter_markers("article"):
            if not mark.args:
                raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.article needs at least one citation key")
            for key in mark.args:
                try:
                    parse(key)
                except (TypeError, ValueError) as exc:
                    raise pytest.UsageError(f"{item.nodeid}: {exc}") from exc
