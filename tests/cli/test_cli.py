"""Contract tests of the `xinyong` command line, each command run as a real subprocess against a fresh database
(SQLite file; PostgreSQL too when XINYONG_TEST_POSTGRES_URL is set).

Within one backend the tests share the database the fixture created with `xinyong init`; they run in file order
(init, tokens, serve, imports, evaluate, init again) and each compares counts before/after rather than assuming
an empty database, so the later ones see the data the earlier ones wrote (and add their own when run alone).
"""

from __future__ import annotations

import csv
import fcntl
import importlib.util
import json
import os
import pty
import random
import re
import shutil
import socket
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, inspect, text

from xinyong.core.clock import beijing_today
from xinyong.db.session import make_engine
from xinyong.demo import make_resident_id, make_uscc


def _shared_conftest() -> Any:
    """tests/conftest.py, loaded by path: `import conftest` is ambiguous once other test folders have one."""
    path = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("_xinyong_shared_conftest", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_shared = _shared_conftest()
BACKENDS = _shared.BACKENDS
_fresh_postgres = _shared._fresh_postgres
_drop_postgres = _shared._drop_postgres

SUMMARY = re.compile(r"(\d+) rows: (\d+) added, (\d+) already present, (\d+) rejected")
RECORD_HEADER = ["subject", "item", "act_date", "department", "source_ref", "note"]
SUBJECT_HEADER = ["code", "name", "kind", "national_grade", "industries"]


# --------------------------------------------------------------------------------------------------- helpers

@dataclass
class Result:
    args: tuple[str, ...]
    rc: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.strip()]

    def __str__(self) -> str:
        return f"xinyong {' '.join(self.args)} -> {self.rc}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def _env(**extra: str) -> dict[str, str]:
    """The subprocess environment: none of the caller's XINYONG_ settings except the clock's day (XINYONG_TODAY,
    the date runs of `make test`), so the command and the test agree on what "today" is."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_") or k == "XINYONG_TODAY"}
    env.update(PYTHONIOENCODING="utf-8", XINYONG_LOG_JSON="1", **extra)
    return env


def _command(args: tuple[str, ...], console_script: bool = False) -> list[str]:
    script = shutil.which("xinyong", path=str(Path(sys.executable).parent))
    if console_script and script:
        return [script, *args]
    return [sys.executable, "-m", "xinyong.cli", *args]


def run_cli(args: tuple[str, ...], env: dict[str, str], cwd: Path, *, tty_stderr: bool = False,
            console_script: bool = False, timeout: float = 120) -> Result:
    """Run one command. With `tty_stderr` stderr is a pseudo-terminal, so tqdm draws its progress bar there
    (it stays silent on a pipe) while stdout remains a pipe that the test parses."""
    cmd = _command(args, console_script)
    if not tty_stderr:
        proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, timeout=timeout)
        return Result(args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))
    master, slave = pty.openpty()
    # A fresh pty is 0 columns wide, which makes tqdm draw an empty bar: give it a terminal's size.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO once the child's side is closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        with subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=slave) as proc:
            os.close(slave)
            slave = -1
            try:
                out, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
        reader.join(timeout=10)
    finally:
        if slave != -1:
            os.close(slave)
        os.close(master)
    err = b"".join(chunks).decode("utf-8", errors="replace").replace("\r\n", "\n")
    return Result(args, proc.returncode, out.decode("utf-8"), err)


class Cli:
    """One backend's database plus a way to run commands against it."""

    def __init__(self, backend: str, url: str, engine: Engine, work: Path) -> None:
        self.backend = backend
        self.url = url
        self.engine = engine
        self.work = work
        self.env = _env(XINYONG_DATABASE_URL=url, XINYONG_HOLIDAY_FILE=str(work / "no-such-holidays.yaml"))
        self.first_init: Result | None = None

    def run(self, *args: str, **kw: Any) -> Result:
        return run_cli(args, self.env, self.work, **kw)

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())

    def counts(self) -> dict[str, int]:
        return {t: self.count(t) for t in inspect(self.engine).get_table_names()}

    def dump(self) -> dict[str, list[str]]:
        """Every row of every table, order-independent."""
        meta_tables = inspect(self.engine).get_table_names()
        out = {}
        with self.engine.connect() as conn:
            for table in meta_tables:
                rows = conn.execute(text(f"SELECT * FROM {table}")).all()
                out[table] = sorted(repr(tuple(r)) for r in rows)
        return out

    def scalars(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params).scalars())


def summary(result: Result) -> tuple[int, int, int, int]:
    m = SUMMARY.search(result.stdout)
    assert m, str(result)
    total, added, present, rejected = (int(g) for g in m.groups())
    return total, added, present, rejected


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def error_report(path: Path) -> set[tuple[int, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and set(rows[0]) == {"row", "field", "reason_zh", "reason_en"}
    assert all(r["reason_zh"].strip() and r["reason_en"].strip() for r in rows)
    return {(int(r["row"]), r["field"]) for r in rows}


def stderr_errors(result: Result) -> set[tuple[int, str]]:
    return {(int(n), f) for n, f in re.findall(r"\brow (\d+) ([\w\[\].]+):", result.stderr)}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def other_check_char(code: str) -> str:
    """The same code with a wrong check character."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")


# --------------------------------------------------------------------------------------------------- fixture

@pytest.fixture(scope="module", params=BACKENDS)
def cli(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    """A fresh, empty database on which `xinyong init` (the console script) has run once."""
    work = tmp_path_factory.mktemp(f"cli-{request.param}")
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{work / 'xinyong.db'}"
        engine = make_engine(url)
    else:
        name, engine = _fresh_postgres()
        url = engine.url.render_as_string(hide_password=False)
    c = Cli(request.param, url, engine, work)
    try:
        assert inspect(engine).get_table_names() == []
        c.first_init = c.run("init", console_script=True)
        assert c.first_init.rc == 0, str(c.first_init)
        yield c
    finally:
        engine.dispose()
        if name:
            _drop_postgres(name)


# --------------------------------------------------------------------------------------------------- init

REFERENCE_TABLES = ("departments", "industries", "standards", "catalogue_items", "alembic_version")


def test_init_creates_schema_and_is_idempotent(cli: Cli) -> None:
    first = cli.first_init
    assert first is not None and first.lines, str(first)
    added = dict(re.findall(r"(\w+) (\d+)", first.lines[-1]))
    assert int(added["departments"]) > 0 and int(added["industries"]) == 5
    assert int(added["standards"]) > 0 and int(added["catalogue_items"]) > 0
    # the first init also creates the deployment's archive signing key (122号 第十九条 可追溯)
    assert "signing key created" in first.stdout, str(first)

    tables = set(inspect(cli.engine).get_table_names())
    assert {*REFERENCE_TABLES, "subjects", "records", "evaluations", "api_tokens", "audit_events"} <= tables
    assert cli.count("departments") == int(added["departments"])
    assert cli.count("catalogue_items") == int(added["catalogue_items"])
    codes = set(cli.scalars("SELECT code FROM catalogue_items"))
    assert {"GEN-B01", "GEN-D01", "SD-B01", "SD-D03"} <= codes
    assert set(cli.scalars("SELECT code FROM industries")) == {
        "survey_design", "surveying_mapping", "fire_design_review", "verification", "land_development"}
    assert {"kanchasheji", "zhifa"} <= set(cli.scalars("SELECT code FROM departments"))

    before_counts, before = cli.counts(), cli.dump()
    second = cli.run("init")
    assert second.rc == 0, str(second)
    assert "departments 0, industries 0, standards 0, catalogue_items 0" in second.lines[-1], str(second)
    assert "signing key created" not in second.stdout  # never overwritten
    assert cli.counts() == before_counts
    after = cli.dump()
    for table in REFERENCE_TABLES:
        assert after[table] == before[table], table
    assert after == before


# --------------------------------------------------------------------------------------------------- tokens

def test_token_create_refusals(cli: Cli) -> None:
    before = cli.count("api_tokens")

    bad_role = cli.run("token", "create", "--name", "x", "--role", "superuser")
    assert bad_role.rc != 0, str(bad_role)
    assert "role" in bad_role.stderr and "superuser" in bad_role.stderr and "admin" in bad_role.stderr

    no_dept = cli.run("token", "create", "--name", "x", "--role", "business")
    assert no_dept.rc != 0, str(no_dept)
    assert "department" in no_dept.stderr and "must name its department" in no_dept.stderr

    bad_dept = cli.run("token", "create", "--name", "x", "--role", "business", "--department", "nosuchdept")
    assert bad_dept.rc != 0, str(bad_dept)
    assert "unknown department nosuchdept" in bad_dept.stderr

    assert not any(r.stdout.strip() for r in (bad_role, no_dept, bad_dept))  # no token printed
    assert cli.count("api_tokens") == before


@pytest.mark.article("122号 Art.12")
def test_token_create_with_a_leader_scope(cli: Cli) -> None:
    """`token create --scope general,survey_design` binds a leader token to the standards it is in charge of
    (主管领导 审定, issue 7 item 6(d)); a scope on another role, an unknown code or an empty scope is refused."""
    name = f"cli-leader-{cli.backend}"
    made = cli.run("token", "create", "--name", name, "--role", "leader", "--scope", "general,survey_design")
    assert made.rc == 0, str(made)
    assert "scope=general,survey_design" in made.lines[0], str(made)
    token = made.lines[-1].strip()
    assert len(token) >= 20 and not re.search(r"\s", token)
    stored = cli.scalars("SELECT scope FROM api_tokens WHERE name = :n", n=name)
    assert len(stored) == 1
    scope = stored[0] if isinstance(stored[0], list) else json.loads(stored[0])
    assert scope == ["general", "survey_design"]

    before = cli.count("api_tokens")
    viewer = cli.run("token", "create", "--name", "x", "--role", "viewer", "--scope", "general")
    unknown = cli.run("token", "create", "--name", "x", "--role", "leader", "--scope", "general,nosuchindustry")
    empty = cli.run("token", "create", "--name", "x", "--role", "leader", "--scope", " , ")
    for res in (viewer, unknown, empty):
        assert res.rc != 0, str(res)
        assert "scope" in res.stderr and not res.stdout.strip(), str(res)
    assert "nosuchindustry" in unknown.stderr
    assert cli.count("api_tokens") == before


def test_serve_health_reference_and_token_posts(cli: Cli) -> None:
    admin = cli.run("token", "create", "--name", "cli-admin", "--role", "admin")
    business = cli.run("token", "create", "--name", "cli-kcsj", "--role", "business",
                       "--department", "kanchasheji", console_script=True)
    for res in (admin, business):
        assert res.rc == 0, str(res)
        assert len(res.lines) >= 2  # a human-readable line, then the token itself as the last line
    admin_token, business_token = admin.lines[-1].strip(), business.lines[-1].strip()
    assert admin_token != business_token
    assert not re.search(r"\s", admin_token) and len(admin_token) >= 20

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_out, log_err = cli.work / f"serve-{port}.out", cli.work / f"serve-{port}.err"
    rng = random.Random(f"serve-{cli.backend}")
    org, person = make_uscc(rng), make_resident_id(rng)
    act = (beijing_today() - timedelta(days=3)).isoformat()
    with open(log_out, "wb") as out, open(log_err, "wb") as err:
        proc = subprocess.Popen(_command(("serve", "--host", "127.0.0.1", "--port", str(port))), env=cli.env,
                                cwd=cli.work, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    try:
        with httpx.Client(base_url=base, timeout=5, trust_env=False) as http:
            deadline = time.monotonic() + 30
            while True:
                assert proc.poll() is None, f"serve exited {proc.returncode}: {log_err.read_text()}"
                try:
                    health = http.get("/healthz")
                    if health.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"serve not ready after 30 s: {log_err.read_text()}"
                time.sleep(0.1)
            assert health.json()["status"] == "ok"

            industries = http.get("/api/v1/industries")
            assert industries.status_code == 200
            assert {i["code"] for i in industries.json()} == {
                "survey_design", "surveying_mapping", "fire_design_review", "verification", "land_development"}

            subject = {"code": org, "name": "CLI测试服务有限公司", "kind": "organization", "national_grade": "B",
                       "industries": ["survey_design"]}
            assert http.post("/api/v1/subjects", json=subject).status_code == 401
            assert http.post("/api/v1/subjects", json=subject,
                             headers={"Authorization": "Bearer xy_not-a-real-token"}).status_code == 401
            created = http.post("/api/v1/subjects", json=subject, headers={"Authorization": f"Bearer {admin_token}"})
            assert created.status_code == 201, created.text
            person_in = {"code": person, "name": "测试人", "kind": "individual", "industries": []}
            created = http.post("/api/v1/subjects", json=person_in,
                                headers={"Authorization": f"Bearer {business_token}"})
            assert created.status_code == 201, created.text

            record = {"subject": org, "item": "SD-B01", "act_date": act, "department": "kanchasheji",
                      "source_ref": f"CLI-SERVE-{cli.backend}-1"}
            posted = http.post("/api/v1/records", json=record, headers={"Authorization": f"Bearer {business_token}"})
            assert posted.status_code == 201, posted.text
            foreign = dict(record, item="GEN-B01", department="zhifa", source_ref=f"CLI-SERVE-{cli.backend}-2")
            refused = http.post("/api/v1/records", json=foreign,
                                headers={"Authorization": f"Bearer {business_token}"})
            assert refused.status_code == 403, refused.text
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    assert cli.scalars("SELECT source_ref FROM records WHERE source_ref LIKE 'CLI-SERVE-%'") == [
        f"CLI-SERVE-{cli.backend}-1"]


# --------------------------------------------------------------------------------------------------- import

def test_import_csv_rejects_bad_rows_keeps_good_ones_and_is_repeatable(cli: Cli) -> None:
    rng = random.Random(f"csv-{cli.backend}")
    a, b, unregistered = make_uscc(rng), make_uscc(rng), make_uscc(rng)
    c = make_resident_id(rng)
    today = beijing_today()
    d = [(today - timedelta(days=n)).isoformat() for n in range(6)]
    subjects_before, records_before = cli.count("subjects"), cli.count("records")

    subjects_file = write_csv(cli.work / "subjects.csv", SUBJECT_HEADER, [
        [a, "CLI甲勘察设计有限公司", "organization", "A", "survey_design"],                     # 2 ok
        [b, "CLI乙测绘有限公司", "organization", "", "survey_design; surveying_mapping"],        # 3 ok
        [c, "CLI丙", "individual", "", ""],                                                      # 4 ok
        [other_check_char(make_uscc(rng)), "坏代码", "organization", "", ""],                    # 5 code
        [make_uscc(rng), "坏类型", "company", "", ""],                                           # 6 kind
        [make_uscc(rng), "坏行业", "organization", "", "nope"],                                  # 7 industries[0]
        [a, "CLI甲改名", "organization", "A", "survey_design"],                                  # 8 code conflict
        [a, "CLI甲勘察设计有限公司", "organization", "A", "survey_design"],                     # 9 present
        [make_uscc(rng), "坏等级", "organization", "E", ""],                                     # 10 national_grade
    ])
    res = cli.run("import", "--subjects", str(subjects_file))
    assert res.rc == 1, str(res)
    assert summary(res) == (9, 3, 1, 5)
    expected = {(5, "code"), (6, "kind"), (7, "industries[0]"), (8, "code"), (10, "national_grade")}
    assert stderr_errors(res) == expected, str(res)
    assert error_report(cli.work / "subjects.csv.errors.csv") == expected
    assert cli.count("subjects") == subjects_before + 3
    assert sorted(cli.scalars(
        "SELECT si.industry FROM subject_industries si JOIN subjects s ON s.id = si.subject_id WHERE s.code = :c",
        c=b)) == ["survey_design", "surveying_mapping"]
    assert cli.scalars("SELECT name FROM subjects WHERE code = :c", c=a) == ["CLI甲勘察设计有限公司"]

    rows = [
        [a, "GEN-B01", d[5], "zhifa", "CLI-CSV-01", ""],                       # 2 ok
        [b, "SD-D03", d[4], "kanchasheji", "CLI-CSV-02", "逾期提交, 含逗号"],     # 3 ok (quoted comma)
        [unregistered, "XX-B99", d[3], "zhifa", "CLI-CSV-90", ""],             # 4 subject + item
        [a, "GEN-B02", "2026-02-30", "zhifa", "CLI-CSV-91", ""],               # 5 act_date (malformed)
        [a, "GEN-B02", d[3], "nosuchdept", "CLI-CSV-92", ""],                  # 6 department
        [a, "GEN-B02", (today + timedelta(days=30)).isoformat(), "zhifa", "CLI-CSV-93", ""],  # 7 act_date (future)
        [a, "GEN-B02", d[3], "zhifa", "", ""],                                 # 8 source_ref blank
        ["", "", "", "", "", ""],                                              # 9 blank line: skipped
        [a, "GEN-B02", d[2], "zhifa", "CLI-CSV-01", ""],                       # 10 source_ref conflict
        [a, "GEN-B01", d[5], "zhifa", "CLI-CSV-01", ""],                       # 11 same as row 2: present
        [c.lower(), "GEN-D01", d[1], "zhifa", "CLI-CSV-03", ""],               # 12 ok
    ]
    records_file = write_csv(cli.work / "records.csv", RECORD_HEADER, rows)
    res = cli.run("import", str(records_file))
    assert res.rc == 1, str(res)
    assert summary(res) == (10, 3, 1, 6)
    expected = {(4, "subject"), (4, "item"), (5, "act_date"), (6, "department"), (7, "act_date"),
                (8, "source_ref"), (10, "source_ref")}
    assert stderr_errors(res) == expected, str(res)
    assert "records.csv.errors.csv" in res.stderr
    assert error_report(cli.work / "records.csv.errors.csv") == expected
    assert cli.count("records") == records_before + 3
    kept = set(cli.scalars("SELECT source_ref FROM records WHERE source_ref LIKE 'CLI-CSV-%'"))
    assert kept == {"CLI-CSV-01", "CLI-CSV-02", "CLI-CSV-03"}
    assert cli.scalars("SELECT note FROM records WHERE source_ref = 'CLI-CSV-02'") == ["逾期提交, 含逗号"]

    again = cli.run("import", str(records_file))
    assert again.rc == 1 and summary(again) == (10, 0, 4, 6), str(again)
    assert cli.count("records") == records_before + 3

    clean = write_csv(cli.work / "records-clean.csv", RECORD_HEADER,
                      [rows[0], rows[1], rows[10], [b, "SD-B01", d[0], "kanchasheji", "CLI-CSV-04", ""]])
    first = cli.run("import", str(clean))
    assert first.rc == 0 and summary(first) == (4, 1, 3, 0), str(first)
    rerun = cli.run("import", str(clean))
    assert rerun.rc == 0 and summary(rerun) == (4, 0, 4, 0), str(rerun)
    assert "row " not in rerun.stderr
    assert not (cli.work / "records-clean.csv.errors.csv").exists()
    assert cli.count("records") == records_before + 4


def test_import_xlsx_with_date_cells_and_progress_bar(cli: Cli) -> None:
    rng = random.Random(f"xlsx-{cli.backend}")
    org, person = make_uscc(rng), make_resident_id(rng)
    today = beijing_today()
    subjects_file = write_xlsx(cli.work / "subjects.xlsx", SUBJECT_HEADER, [
        [org, "CLI表格设计院", "organization", None, "survey_design;verification"],
        [person, "CLI表格人", "individual", "", None],
    ])
    res = cli.run("import", "--subjects", str(subjects_file))
    assert res.rc == 0 and summary(res) == (2, 2, 0, 0), str(res)
    grade_of = ("SELECT g.grade FROM national_grades g JOIN subjects s ON s.id = g.subject_id "
                "WHERE s.code = :c ORDER BY g.id")
    assert cli.scalars(grade_of, c=org) == [None] and cli.scalars(grade_of, c=person) == [None]
    assert sorted(cli.scalars(
        "SELECT si.industry FROM subject_industries si JOIN subjects s ON s.id = si.subject_id WHERE s.code = :c",
        c=org)) == ["survey_design", "verification"]

    records_before = cli.count("records")
    day1, day2 = today - timedelta(days=2), today - timedelta(days=4)
    records_file = write_xlsx(cli.work / "records.xlsx", RECORD_HEADER, [
        [org, "SD-B01", day1, "kanchasheji", "CLI-XLSX-01", "表格导入"],   # a real date cell
        [person, "GEN-D01", day2, "zhifa", 20240511, None],              # a number cell as source_ref
        [org, "GEN-B01", day2.isoformat(), "zhifa", "CLI-XLSX-03", ""],   # a text date still works
    ])
    # stderr is a terminal here, so tqdm draws its bar; stdout must still parse.
    res = cli.run("import", str(records_file), tty_stderr=True)
    assert res.rc == 0, str(res)
    assert summary(res) == (3, 3, 0, 0)
    assert res.lines == [line for line in res.lines if SUMMARY.search(line)]  # nothing but the summary
    assert "records.xlsx" in res.stderr and "3/3" in res.stderr, res.stderr
    with cli.engine.connect() as conn:
        stored = dict(conn.execute(text(
            "SELECT source_ref, act_date FROM records WHERE source_ref IN ('CLI-XLSX-01', '20240511', 'CLI-XLSX-03')"
        )).all())
    assert {k: (v if isinstance(v, date) else date.fromisoformat(str(v)[:10])) for k, v in stored.items()} == {
        "CLI-XLSX-01": day1, "20240511": day2, "CLI-XLSX-03": day2}
    assert cli.count("records") == records_before + 3

    rerun = cli.run("import", str(records_file))
    assert rerun.rc == 0 and summary(rerun) == (3, 0, 3, 0), str(rerun)
    assert cli.count("records") == records_before + 3
    assert not (cli.work / "records.xlsx.errors.csv").exists()


def test_import_wrong_header_stores_nothing(cli: Cli) -> None:
    before = cli.dump()
    wrong = write_csv(cli.work / "wrong-header.csv", ["subject", "item", "date", "department", "source_ref"],
                      [[make_uscc(random.Random(7)), "GEN-B01", beijing_today().isoformat(), "zhifa", "CLI-WRONG"]])
    res = cli.run("import", str(wrong))
    assert res.rc == 2, str(res)
    assert "act_date" in res.stderr and "date" in res.stderr  # names the missing and the unknown column
    assert not SUMMARY.search(res.stdout)
    assert not (cli.work / "wrong-header.csv.errors.csv").exists()
    assert cli.dump() == before


# --------------------------------------------------------------------------------------------------- evaluate

def ensure_data(cli: Cli) -> None:
    """The import tests normally ran first on this database; when run alone (or split by xdist), import a
    little data here so the test still checks something."""
    if cli.count("records"):
        return
    rng = random.Random(f"ensure-{cli.backend}")
    org = make_uscc(rng)
    subjects = write_csv(cli.work / "ensure-subjects.csv", SUBJECT_HEADER,
                         [[org, "CLI补充数据有限公司", "organization", "B", "survey_design"]])
    records = write_csv(cli.work / "ensure-records.csv", RECORD_HEADER,
                        [[org, "SD-D03", (beijing_today() - timedelta(days=1)).isoformat(), "kanchasheji",
                          "CLI-ENSURE-01", ""]])
    for args in (("import", "--subjects", str(subjects)), ("import", str(records))):
        res = cli.run(*args)
        assert res.rc == 0, str(res)


def test_evaluate_matches_the_real_time_store(cli: Cli) -> None:
    ensure_data(cli)
    subjects = cli.count("subjects")

    res = cli.run("evaluate", tty_stderr=True)  # with its progress bar drawn on stderr
    assert res.rc == 0, str(res)
    assert f": {subjects} subjects," in res.lines[0], str(res)
    assert "differing from the real-time store: 0" in res.stdout, str(res)
    assert "≠" not in res.stdout
    assert re.search(r"^\s+general: A=\d+ B=\d+ C=\d+ D=\d+$", res.stdout, re.M), str(res)

    past = cli.run("evaluate", "--as-of", "2025-06-30")
    assert past.rc == 0, str(past)
    assert "as of 2025-06-30" in past.stdout and "results not stored" in past.stdout

    bad = cli.run("evaluate", "--as-of", "2025-13-45")
    assert bad.rc != 0, str(bad)
    assert "--as-of" in bad.stderr and "YYYY-MM-DD" in bad.stderr and "2025-13-45" in bad.stderr


def test_init_again_leaves_a_populated_database_alone(cli: Cli) -> None:
    ensure_data(cli)
    before = cli.dump()
    assert any(before["records"]) and any(before["subjects"])
    res = cli.run("init")
    assert res.rc == 0, str(res)
    assert cli.dump() == before


# --------------------------------------------------------------------------------------------------- calendar

def _covered_spans(stdout: str) -> dict[str, str]:
    return dict(re.findall(r"^(\d{4}(?:–\d{4})?): (.+)$", stdout, re.M))


def test_calendar_status(tmp_path: Path) -> None:
    """`calendar status` judges this year and next against the clock: run at two pinned days (XINYONG_TODAY),
    one inside the package's years (2026) and one after them (2027), so both answers are checked on any date."""
    db = f"sqlite:///{tmp_path / 'unused.db'}"

    def status(day: str, holiday_file: Path) -> Result:
        res = run_cli(("calendar", "status"), _env(XINYONG_DATABASE_URL=db, XINYONG_HOLIDAY_FILE=str(holiday_file),
                                                   XINYONG_TODAY=day), tmp_path)
        assert res.rc == 0, str(res)
        return res

    for day, uncovered in (("2026-06-01", ["2027"]), ("2027-06-01", ["2027", "2028"])):
        missing = status(day, tmp_path / "absent.yaml")
        spans = _covered_spans(missing.stdout)
        assert spans.get("2004–2026", "").startswith("chinesecalendar"), str(missing)
        assert not any(span.startswith("2027") or span.endswith("2027") for span in spans)
        line = next(x for x in missing.lines if "NOT covered" in x)
        assert all(y in line for y in uncovered), line

    holiday_file = tmp_path / "fictitious-holidays.yaml"
    holiday_file.write_text(
        "# FICTITIOUS test data: invented dates, not a State Council notice.\n"
        "2027:\n"
        '  reference: "虚构测试通知 FICTITIOUS-TEST-NOTICE"\n'
        "  holidays: [2027-01-01, 2027-05-03, 2027-10-04]\n"
        "  workdays: [2027-05-08]\n",
        encoding="utf-8",
    )
    env = _env(XINYONG_DATABASE_URL=db, XINYONG_HOLIDAY_FILE=str(holiday_file))
    covered = status("2026-06-01", holiday_file)
    spans = _covered_spans(covered.stdout)
    assert spans.get("2004–2026", "").startswith("chinesecalendar")
    assert spans.get("2027") == "fictitious-holidays.yaml: 虚构测试通知 FICTITIOUS-TEST-NOTICE", str(covered)
    assert "NOT covered" not in covered.stdout and "both covered" in covered.stdout
    next_year = status("2027-06-01", holiday_file)
    line = next(x for x in next_year.lines if "NOT covered" in x)
    assert "2027" not in line and "2028" in line, line

    holiday_file.write_text("2027:\n  reference: FICTITIOUS\n  holidays: [2028-01-01]\n", encoding="utf-8")
    broken = run_cli(("calendar", "status"), env, tmp_path)
    assert broken.rc != 0, str(broken)
    assert "holiday file invalid" in broken.stderr and "2027" in broken.stderr
