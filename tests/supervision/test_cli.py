"""`xinyong supervision …` (issue 9 "through API, CLI and web UI"): measures lists imported, listed and exported,
a logged decision as the console operator, a plan drawn and re-computed by an independent implementation of the
published recipe (122号 Art.25, spec G1-09, X-09), rankings drafted and exported (122号 Art.17)."""

from __future__ import annotations

import copy
import hashlib
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine

from tests.api._api_helpers import make_subject
from tests.conftest import auth
from tests.inspections._helpers import SEED, add_inspectors, post_plan, subjects, whitelist
from xinyong.archive import signing
from xinyong.bootstrap import unit_of_work
from xinyong.cli import main
from xinyong.core.clock import DayClock, clock_at
from xinyong.inspections import cli as inspections_cli
from xinyong.inspections import service
from xinyong.inspections.cli import recompute
from xinyong.rules.identifiers import mask_resident_id

DAY = date(2026, 3, 10)
SD = "survey_design"


@pytest.fixture
def cli_db(clean: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Engine]:
    """The CLI reads XINYONG_DATABASE_URL (the test database); its own signing key; the clock pinned."""
    monkeypatch.setenv("XINYONG_DATABASE_URL", clean.url.render_as_string(hide_password=False))
    key = tmp_path / "signing_key.pem"
    signing.generate(key)
    monkeypatch.setenv("XINYONG_SIGNING_KEY", str(key))
    with clock_at(DayClock(DAY)):
        yield clean


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["supervision", *args])
    out, err = capsys.readouterr()
    return status, out, err


def xlsx_file(path: Path, rows: list[list[Any]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["信用等级", "监管应用事项", "措施依据", "实施类别", "实施部门", "流程", "检查系数"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.mark.article("122号 Art.24")
def test_measures_import_list_export_as_the_console_operator_and_a_refused_file_writes_nothing_122_art24(
        cli_db: Engine, client: TestClient, tokens: dict[str, str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    bad = xlsx_file(tmp_path / "bad.xlsx", [["D", "限制", "依据", "行政审批", "kanchasheji", "行政审批"],
                                            ["A", "奖励", "依据", "行政审批", "kanchasheji", "行政审批"]])
    status, _out, err = run(capsys, "measures", "import", str(bad), "--industry", SD, "--kind", "punishment")
    assert status == 2
    assert "rows[3].grade: 第 3 行「信用等级」列" in err and "row 3, column 信用等级" in err
    assert client.get("/api/v1/measures", headers=auth(tokens["admin"])).json() == []

    good = xlsx_file(tmp_path / "good.xlsx", [["D", "审慎参考", "122号 第二十三条", "行政审批", "kanchasheji", "行政审批"],
                                              ["D", "增加检查", "122号 第二十二条", "监督检查", "kanchasheji", "监督检查", 2]])
    status, out, _err = run(capsys, "measures", "import", str(good), "--industry", SD, "--kind", "punishment",
                            "--note", "2026 年版")
    assert status == 0, out
    [row] = client.get("/api/v1/measures", headers=auth(tokens["admin"])).json()
    assert f"#{row['id']} {SD} punishment v1" in out
    assert (row["status"], row["drafted_by"], row["note"]) == ("draft", "cli", "2026 年版")
    assert [(e["process"], e["inspection_factor"]) for e in row["entries"]] == [
        ("administrative_approval", None), ("inspection", 2.0)]

    status, out, _err = run(capsys, "measures", "list", "--industry", SD)
    assert status == 0 and f"#{row['id']} {SD} punishment v1 draft" in out
    status, out, _err = run(capsys, "measures", "list", "--industry", "surveying_mapping")
    assert status == 0 and "no measures lists" in out

    target = tmp_path / "out.xlsx"
    status, out, _err = run(capsys, "measures", "export", str(row["id"]), str(target))
    assert status == 0 and str(target) in out
    ws = load_workbook(target)["措施清单"]
    assert [c.value for c in ws[2]][:6] == ["D", "审慎参考", "122号 第二十三条", "行政审批", "kanchasheji", "行政审批"]
    status, _out, err = run(capsys, "measures", "export", "999999", str(target))
    assert status == 2 and "list_id" in err
    status, _out, err = run(capsys, "measures", "import", str(tmp_path / "missing.xlsx"), "--industry", SD,
                            "--kind", "punishment")
    assert status == 2 and "missing.xlsx" in err


@pytest.mark.article("122号 Art.25")
def test_decision_is_logged_like_the_api_with_actor_cli_122_art25(
        cli_db: Engine, client: TestClient, tokens: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code = make_subject(client, tokens["admin"], grade="A", industries=[SD])["code"]
    status, out, _err = run(capsys, "decision", "--subject", code, "--process", "award", "--industry", SD)
    assert status == 0, out
    assert f"{code} " in out and "grade A" in out and "no_measures_list" in out
    page = client.get("/api/v1/decisions/log", params={"subject": code}, headers=auth(tokens["coordinator"])).json()
    [entry] = page["items"]
    assert (entry["actor"], entry["role"], entry["channel"], entry["process"], entry["industry"], entry["grade"]) == (
        "cli", "admin", "manual", "award", SD, "A")
    assert f"log #{entry['id']}" in out
    status, _out, err = run(capsys, "decision", "--subject", "NOPE", "--process", "award")
    assert status == 2 and err
    with pytest.raises(SystemExit):  # argparse: the process is one of the seven
        run(capsys, "decision", "--subject", code, "--process", "lottery")


@pytest.mark.article("122号 Art.25", "122号 Art.22")
def test_plan_drawn_on_the_console_verifies_and_a_changed_draw_is_found_122_art25(
        cli_db: Engine, client: TestClient, tokens: dict[str, str], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    add_inspectors(client, tokens["business"], n=4)
    subjects(client, tokens["admin"], "B", 5)
    subjects(client, tokens["admin"], "D", 2)
    [white] = subjects(client, tokens["admin"], "A", 1)
    whitelist(client, tokens["business"], white)
    status, out, _err = run(capsys, "plan", "draw", "--department", "kanchasheji", "--industry", SD,
                            "--from", "2026-04-01", "--to", "2026-06-30", "--ratio", "0.4", "--seed", SEED)
    assert status == 0, out
    plan_id = int(out.split("#", 1)[1].split()[0])
    plan = client.get(f"/api/v1/inspection-plans/{plan_id}").json()
    assert (plan["seed"], plan["base_ratio"], plan["drawn_by"], plan["period_start"]) == (SEED, "0.4", "cli",
                                                                                         "2026-04-01")
    assert "B: factor 0.6 ratio 0.24 — 2 of 5" in out and "D: factor 2 ratio 0.8 — 2 of 2" in out
    assert white not in {d["code"] for d in plan["draws"]} and "whitelisted: 1" in out

    status, out, _err = run(capsys, "plan", "verify", str(plan_id))
    assert status == 0 and out.startswith(f"OK plan #{plan_id}: 4 drawn of 7") and plan["digest"] in out
    # a plan drawn through the API verifies too (the two implementations agree)
    api_plan = post_plan(client, tokens["business"], base_ratio="0.5", seed="f" * 32)
    assert run(capsys, "plan", "verify", str(api_plan["id"]))[0] == 0

    # a stored draw that differs from the recipe's: exit 1 and the first difference named
    with unit_of_work(cli_db) as uow:
        row = service.get_plan(uow.session, plan_id)
        body, digest = copy.deepcopy(row.body), row.digest
    assert recompute(body, digest) is None
    body["draws"][0]["inspectors"] = list(reversed(body["draws"][0]["inspectors"]))
    assert "draw 1 differs" in str(recompute(body))
    with monkeypatch.context() as m:  # the command reads this body as the stored plan
        m.setattr(inspections_cli.service, "get_plan", lambda _s, _id: SimpleNamespace(body=body, digest=digest))
        status, out, _err = run(capsys, "plan", "verify", str(plan_id))
    assert status == 1 and out.startswith(f"不一致 / DIFFERENCE in plan #{plan_id}") and "digest" in out
    assert run(capsys, "plan", "verify", "999999")[0] == 2


def test_recompute_names_each_kind_of_difference() -> None:
    """The independent implementation against hand-counted quotas: base 0.5 → A ceil(0.15×2)=1, B ceil(0.3×3)=1,
    C ceil(0.5×2)=1, D every one (1)."""
    population = [{"code": f"C{n}", "grade": g} for n, g in enumerate("AABBBCCD")]
    body: dict[str, Any] = {"seed": SEED, "base_ratio": "0.5", "factors": {"A": "0.3", "B": "0.6", "C": "1", "D": "2"},
                            "every_drawn": ["D"], "inspectors": ["I1", "I2", "I3"], "population": population,
                            "whitelisted": [{"code": "W1", "grade": "A"}], "draws": []}
    assert "re-computed 4, 存储 / stored 0" in str(recompute(body))

    def sha(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    draws = []
    for grade in "ABCD":
        codes = sorted((p["code"] for p in population if p["grade"] == grade), key=lambda c: (sha(f"{SEED}:{c}"), c))
        team = sorted(body["inspectors"], key=lambda i, c=codes[0]: (sha(f"{SEED}:{c}:{i}"), i))[:2]
        draws.append({"code": codes[0], "grade": grade, "inspectors": team})
    assert recompute({**body, "draws": draws}) is None
    assert "draw 2 differs" in str(recompute({**body, "draws": [draws[0], draws[2], draws[1], draws[3]]}))
    assert "re-computed 4, 存储 / stored 5" in str(recompute({**body, "draws": [*draws, draws[0]]}))
    body["draws"] = draws
    assert "whitelisted subject(s) in the population: C0" in str(recompute(
        {**body, "whitelisted": [{"code": "C0", "grade": "A"}]}))
    assert "seed" in str(recompute({**body, "seed": "XYZ"}))
    assert "no factor for grade(s): D" in str(recompute({**body, "factors": {"A": "0.3", "B": "0.6", "C": "1"}}))
    assert "does not match its digest" in str(recompute(body, digest="0" * 64))


@pytest.mark.article("122号 Art.17")
def test_rankings_draft_and_export_with_resident_ids_masked_122_art17(
        cli_db: Engine, client: TestClient, tokens: dict[str, str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    person = make_subject(client, tokens["admin"], kind="individual", grade="A", industries=[SD], name="李四")["code"]
    make_subject(client, tokens["admin"], grade="B", industries=[SD], name="丙公司")
    status, out, _err = run(capsys, "rankings", "draft", "--industry", SD)
    assert status == 0, out
    ranking_id = int(out.split("#", 1)[1].split()[0])
    assert f"as of {DAY.isoformat()}: 2 entries" in out and mask_resident_id(person) in out and person not in out
    ranking = client.get(f"/api/v1/rankings/{ranking_id}", headers=auth(tokens["leader"])).json()
    assert (ranking["status"], ranking["created_by"]) == ("draft", "cli")
    target = tmp_path / "ranking.xlsx"
    status, out, _err = run(capsys, "rankings", "export", str(ranking_id), str(target))
    assert status == 0 and "draft, 2 entries" in out
    ws = load_workbook(io.BytesIO(target.read_bytes()))["排行榜"]
    assert [c.value for c in ws[2]][:4] == [1, mask_resident_id(person), "李四", 800]
    status, _out, err = run(capsys, "rankings", "draft", "--industry", "nowhere")
    assert status == 2 and "industry" in err
    status, _out, err = run(capsys, "rankings", "draft", "--industry", SD, "--as-of", "2026-03-11")
    assert status == 2 and "as_of" in err  # not a day in the future
