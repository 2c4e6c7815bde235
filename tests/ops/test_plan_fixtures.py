"""The five real plans, stored exactly: counts per city, spot checks, traceability, idempotent loading."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import yaml
from django.core.management import CommandError, call_command

from indicators.models import Indicator, TargetGroup
from ops.fixtures import PLAN_FIXTURE_DIR, plan_fixture_load
from plans.models import City, Department, LeadingGroupMember, Plan
from tasks.models import Task, TaskAssignment

pytestmark = pytest.mark.django_db

SOURCES = PLAN_FIXTURE_DIR / "sources"
FIXTURES = sorted(PLAN_FIXTURE_DIR.glob("*.yaml"))


@pytest.fixture(scope="module")
def plans(django_db_setup, django_db_blocker):
    """The five plans loaded once for the module (committed), removed again afterwards."""
    with django_db_blocker.unblock():
        for path in FIXTURES:
            plan_fixture_load(path=path)
    yield
    with django_db_blocker.unblock():
        City.objects.all().delete()


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_all_five_plans_are_shipped():
    assert {p.stem for p in FIXTURES} == {"chaoyang", "zunyi", "mudanjiang", "shenyang", "nantong"}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_quoted_text_occurs_verbatim_in_the_document(path):
    """Traceability: names, quotes and task texts are copied from the document, not paraphrased."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    source = _collapse((SOURCES / doc["plan"]["source_file"]).read_text(encoding="utf-8"))
    quoted = []
    for i in doc["indicators"]:
        quoted += [("indicator name", i["code"], i["name"]), ("indicator quote", i["code"], i.get("source_quote"))]
        quoted += [("interim quote", i["code"], t.get("source_quote")) for t in i.get("interim_targets") or []]
        quoted += [("base quote", i["code"], i.get("base_quote"))]
        quoted += [("reading quote", i["code"], r["quote"]) for r in i.get("readings") or []]
    for b in doc.get("blanket_assignments") or []:
        quoted += [("blanket clause", b["from_task"]["number"], b["quote"])]
    for t in doc["tasks"]:
        quoted += [("task text", t["number"], t["text"]), ("task title", t["number"], t["title"])]
    for d in doc["departments"]:
        quoted += [("department alias", d["name"], a) for a in d.get("aliases") or []]
    for m in doc.get("leading_group") or []:
        quoted += [("leading-group post", m["name"], m["post"])]
    missing = [(kind, key, text) for kind, key, text in quoted if text and _collapse(text) not in source]
    assert missing == []


def test_loading_reports_and_is_idempotent(plans, capsys):
    before = {
        m: m.objects.count()
        for m in (City, Plan, Department, Indicator, Task, TaskAssignment, LeadingGroupMember, TargetGroup)
    }
    call_command("load_plans")
    out = capsys.readouterr().out
    assert out.count("无变化") == 5
    for stem, readings in LISTED_READINGS.items():  # issue 12: the count of readings per plan
        assert f"{stem}.yaml: 无变化（口径与解读 {len(readings)} 条，其中待确认 {len(readings)} 条）" in out
    assert {m: m.objects.count() for m in before} == before


def test_a_bad_fixture_is_refused_naming_the_problem_and_saves_nothing(tmp_path):
    doc = yaml.safe_load((PLAN_FIXTURE_DIR / "chaoyang.yaml").read_text(encoding="utf-8"))
    doc["city"]["code"] = doc["plan"]["code"] = "broken"
    doc["tasks"][-1]["responsible"] = ["不存在的局"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match="未知部门“不存在的局”"):
        call_command("load_plans", str(bad))
    assert not City.objects.filter(code="broken").exists()


COUNTS = {  # city: (indicators, tasks, departments, leading-group members, target groups, phases)
    "chaoyang": (21, 19, 32, 31, 0, 0),
    "zunyi": (29, 43, 32, 29, 2, 0),
    "mudanjiang": (11, 17, 1, 0, 0, 0),
    "shenyang": (30, 25, 19, 0, 0, 0),
    "nantong": (20, 17, 23, 0, 0, 3),
}


@pytest.mark.parametrize("city", COUNTS)
def test_counts_per_city(plans, city):
    plan = Plan.objects.get(city__code=city)
    assert (
        plan.indicators.count(),
        plan.tasks.count(),
        Department.objects.filter(city__code=city).count(),
        plan.leading_group.count(),
        plan.target_groups.count(),
        plan.phases.count(),
    ) == COUNTS[city]


def test_every_task_of_a_city_with_departments_is_assigned(plans):
    """Mudanjiang's copy names no departments; every other plan assigns each task to someone."""
    unassigned = Task.objects.exclude(plan__city__code="mudanjiang").filter(assignments__isnull=True)
    assert list(unassigned) == []


def test_every_indicator_has_a_lead_and_defaulted_leads_are_the_programme_owner(plans):
    for indicator in Indicator.objects.select_related("lead_department"):
        if indicator.lead_department_defaulted:
            assert indicator.lead_department.is_programme_owner
    assert Indicator.objects.filter(plan__code="chaoyang-2024-2026", lead_department_defaulted=True).exists()


def test_each_city_has_one_programme_owner(plans):
    for city in City.objects.all():
        assert city.departments.filter(is_programme_owner=True).count() == 1


def test_ended_and_running_plans():
    """Three of the plans ended before today (2026-11-27); two still run."""
    docs = [yaml.safe_load(p.read_text(encoding="utf-8"))["plan"] for p in FIXTURES]
    ended = sorted(d["code"] for d in docs if d["period_end"] < dt.date(2026, 11, 27))
    assert ended == ["mudanjiang-2021-2025", "shenyang-2020-2023", "zunyi-2022-2025"]


# --- Spot checks named in the issue --------------------------------------------------------------------


def _indicator(plan_code: str, name_fragment: str) -> Indicator:
    return Indicator.objects.get(plan__code=plan_code, name__contains=name_fragment)


def test_zunyi_trademarks_is_a_stock_of_15_6_wan(plans):
    i = _indicator("zunyi-2022-2025", "商标有效注册量")
    assert (i.unit, i.measure_type, i.target_form, i.target_value) == ("万件", "stock", "absolute", Decimal("15.6"))


def test_zunyi_merged_targets_belong_to_the_pair(plans):
    groups = {
        g.target_value: sorted(i.code for i in g.indicators.all())
        for g in TargetGroup.objects.filter(plan__code="zunyi-2022-2025")
    }
    assert groups == {Decimal("42"): ["ZY-06", "ZY-07"], Decimal("35"): ["ZY-16", "ZY-17"]}
    assert Indicator.objects.get(plan__code="zunyi-2022-2025", code="ZY-06").target_value is None


def test_zunyi_row_one_is_growth_since_2021_with_unknown_base(plans):
    i = Indicator.objects.get(plan__code="zunyi-2022-2025", code="ZY-01")
    assert (i.target_form, i.target_value, i.base_year, i.base_value) == (
        "growth_since_base",
        Decimal("20"),
        2021,
        None,
    )


def test_mudanjiang_technology_contracts_7_75_to_16_yi(plans):
    i = _indicator("mudanjiang-2021-2025", "技术合同成交额")
    assert (i.measure_type, i.base_value, i.base_year, i.target_value, i.target_date, i.unit) == (
        "annual",
        Decimal("7.75"),
        2020,
        Decimal("16"),
        dt.date(2025, 12, 31),
        "亿元",
    )


def test_nantong_patent_intensive_industry_share_17_percent(plans):
    i = _indicator("nantong-2024-2026", "专利密集型产业增加值占GDP比重")
    assert (i.target_value, i.unit, i.frequency) == (Decimal("17"), "%", "yearly")


def test_yearly_statistics_published_next_year_have_their_own_lag_recorded_as_a_reading(plans):
    # issue 11: a GDP share is not overdue on 16 January; the lag is set only where the source implies it
    lags = dict(Indicator.objects.exclude(reporting_lag_days=None).values_list("code", "reporting_lag_days"))
    assert lags == {"NT-11": 181, "NT-12": 181, "MDJ-06": 90}
    for code, days in lags.items():
        indicator = Indicator.objects.get(code=code)
        assert "Reporting lag (a reading)" in indicator.notes
        # issue 12: a number the document does not give is a reading the city confirms, with the plan's own lag
        # as the alternative
        reading = indicator.readings.get(code="reporting_lag")
        assert reading.is_pending and reading.chosen_option["changes"] == {"reporting_lag_days": days}
        assert [o["changes"] for o in reading.alternatives] == [{"reporting_lag_days": None}]


def test_chaoyang_case_closure_rate_threshold_90(plans):
    i = _indicator("chaoyang-2024-2026", "结案率")
    assert (i.measure_type, i.target_form, i.target_value, i.is_ratio) == ("rate", "threshold", Decimal("90"), True)


def test_chaoyang_patent_intensive_products_due_end_2026_with_2025_interim(plans):
    i = _indicator("chaoyang-2024-2026", "专利密集型产品")
    assert (i.target_value, i.target_date) == (Decimal("200"), dt.date(2026, 12, 31))
    assert [(t.date, t.value) for t in i.interim_targets.all()] == [(dt.date(2025, 12, 31), Decimal("200"))]


def test_shenyang_pledge_financing_compound_30_percent_from_2018(plans):
    i = _indicator("shenyang-2020-2023", "质押融资金额")
    assert (i.measure_type, i.target_form, i.target_value, i.base_year, i.base_value) == (
        "annual",
        "compound_growth",
        Decimal("30"),
        2018,
        None,
    )


def test_department_aliases_resolve_to_one_bureau(plans):
    bureau = Department.objects.get(city__code="zunyi", is_programme_owner=True)
    aliases = set(bureau.aliases.values_list("alias", flat=True)) | {bureau.name}
    assert {"市市场监管局(知识产权局)", "市市场监管局(市知识产权局)"} <= aliases


def test_nantong_has_three_phases(plans):
    assert list(Plan.objects.get(code="nantong-2024-2026").phases.values_list("name", flat=True)) == [
        "启动部署",
        "实施推进",
        "评估提升",
    ]


def test_source_documents_are_shipped_with_the_fixtures():
    assert sorted(p.name for p in SOURCES.glob("*.txt")) == sorted(
        yaml.safe_load(p.read_text(encoding="utf-8"))["plan"]["source_file"] for p in FIXTURES
    )


# --- No number or year the document does not give, unless it is a listed reading ----------------------

LISTED_READINGS = {  # issue 12: every place the data interprets a document, per plan
    "chaoyang": {
        ("CY-01", "base_year"),
        ("CY-02", "done_marker"),
        ("CY-04", "base_year"),
        ("CY-11", "line_or_level"),
        ("CY-18", "range_bound"),
        ("CY-20", "done_marker"),
    },
    "shenyang": {("SY-01", "base_year"), ("SY-02", "base_year"), ("SY-14", "level_or_additions")},
    "nantong": {
        ("NT-10", "base_year"),
        ("NT-11", "reporting_lag"),
        ("NT-12", "reporting_lag"),
        ("NT-16", "total_or_year"),
        ("NT-17", "level_or_additions"),
        ("NT-18", "level_or_additions"),
        ("NT-19", "level_or_additions"),
    },
    "zunyi": {("ZY-01", "unit")},
    "mudanjiang": {("MDJ-06", "reporting_lag")},
}


def _fixture(stem):
    return yaml.safe_load((PLAN_FIXTURE_DIR / f"{stem}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("stem", LISTED_READINGS)
def test_every_reading_the_careful_read_found_is_listed(stem):
    doc = _fixture(stem)
    found = {(i["code"], r["code"]) for i in doc["indicators"] for r in i.get("readings") or []}
    assert found == LISTED_READINGS[stem]


def _base_problems(doc: dict) -> list:
    """Bases without the words they come from, and base years those words do not contain (unless a reading)."""
    problems = []
    for i in doc["indicators"]:
        if i.get("base_year") is None and i.get("base_value") is None:
            continue
        quote = i.get("base_quote") or ""
        if not quote:
            problems.append((i["code"], "no base_quote"))
            continue
        is_reading = any(r["code"] == "base_year" for r in i.get("readings") or [])
        if i.get("base_year") and str(i["base_year"]) not in quote and not is_reading:
            problems.append((i["code"], f"base year {i['base_year']} not in “{quote}”"))
        if i.get("base_value") is not None:
            value = _shown(i["base_value"])
            if value not in quote and value not in (i.get("source_quote") or ""):
                problems.append((i["code"], f"base value {value} quoted nowhere"))
    return problems


def _shown(value) -> str:
    return f"{Decimal(str(value)).normalize():f}"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_stored_base_carries_its_quote_and_no_base_year_is_absent_from_it_unless_a_reading(path):
    assert _base_problems(yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def test_the_base_check_finds_an_invented_base_year_and_a_missing_quote():
    doc = _fixture("shenyang")
    sy01 = next(i for i in doc["indicators"] if i["code"] == "SY-01")
    sy01["readings"] = []
    sy03 = next(i for i in doc["indicators"] if i["code"] == "SY-03")
    sy03["base_quote"] = None
    problems = _base_problems(doc)
    assert [code for code, _ in problems] == ["SY-01", "SY-03"]
    assert problems[0][1].startswith("base year 2019 not in") and problems[1][1] == "no base_quote"


def _target_problems(doc: dict, source: str) -> list:
    """Target numbers (indicator, interim, shared) that neither their quote nor the indicator's own table row
    gives, unless a reading says what they stand for."""
    problems = []
    for i in doc["indicators"]:
        quote = _collapse(i.get("source_quote") or "")
        value = i.get("target_value")
        if value is not None and _shown(value) not in quote and not i.get("readings"):
            # a table row: the name's cell, then up to three cells (lead, unit) before the target's cell
            row = re.escape(_collapse(i["name"])) + r" \|(?: [^|]* \|){0,3} " + re.escape(_shown(value)) + r"\b"
            if not re.search(row, source):
                problems.append((i["code"], f"target {_shown(value)} not in “{quote}”"))
        for t in i.get("interim_targets") or []:
            if _shown(t["value"]) not in _collapse(t.get("source_quote") or ""):
                problems.append((i["code"], f"interim {t['date']} {_shown(t['value'])}"))
    for g in doc.get("target_groups") or []:
        if _shown(g["target_value"]) not in _collapse(g.get("source_quote") or ""):
            problems.append((g["code"], f"shared target {_shown(g['target_value'])}"))
    return problems


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_no_stored_target_is_absent_from_the_document_unless_a_reading(path):
    """issue 12, done when: no stored number is absent from its document unless it is listed as a reading."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    source = _collapse((SOURCES / doc["plan"]["source_file"]).read_text(encoding="utf-8"))
    assert _target_problems(doc, source) == []


def test_the_target_check_finds_a_number_no_quote_gives():
    doc = _fixture("chaoyang")
    source = _collapse((SOURCES / doc["plan"]["source_file"]).read_text(encoding="utf-8"))
    cy02 = next(i for i in doc["indicators"] if i["code"] == "CY-02")
    cy02["readings"] = []  # 零突破 stored as 1 without saying so
    cy09 = next(i for i in doc["indicators"] if i["code"] == "CY-09")
    cy09["target_value"] = 250
    assert [code for code, _ in _target_problems(doc, source)] == ["CY-02", "CY-09"]


def _safeguard_measures(source: str) -> list[str]:
    """The items of a document's 保障措施 chapter, split at their (一)(二)… labels."""
    start = re.search(r"[一二三四五六七八九十]、 ?保障措施", source)
    if start is None:
        return []
    chapter = re.split(r"附件|文件链接", source[start.end() :])[0]
    return [m.strip() for m in re.split(r"(?=\([一二三四五六七八九十]\))", chapter) if m.strip()]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_safeguard_measure_that_names_its_own_responsible_units_is_a_task(path):
    """The scope rule for all five plans: a 保障措施 with 责任单位 is a task (Chaoyang's three, Shenyang's five)."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    source = _collapse((SOURCES / doc["plan"]["source_file"]).read_text(encoding="utf-8"))
    texts = [_collapse(t["text"]) for t in doc["tasks"]]
    with_units = [m for m in _safeguard_measures(source) if "责任单位" in m]
    assert [m[:12] for m in with_units if not any(text in m for text in texts)] == []
    assert len(with_units) == {"chaoyang": 3, "shenyang": 5}.get(path.stem, 0)


QUALITATIVE_GOALS = {  # issue 12: goals the document states without a number, loaded as qualitative indicators
    "zunyi": {"ZY-25", "ZY-26", "ZY-27", "ZY-28", "ZY-29"},
    "shenyang": {"SY-09", "SY-10", "SY-26", "SY-27", "SY-28", "SY-29", "SY-30"},
    "chaoyang": {"CY-05", "CY-06", "CY-07", "CY-08", "CY-12", "CY-16"},
    "mudanjiang": {"MDJ-01", "MDJ-02", "MDJ-09", "MDJ-10", "MDJ-11"},
    "nantong": {"NT-01", "NT-02", "NT-03", "NT-04"},
}


@pytest.mark.parametrize("stem", QUALITATIVE_GOALS)
def test_goals_without_a_number_are_qualitative_indicators_in_every_plan(stem):
    doc = _fixture(stem)
    qualitative = {i["code"] for i in doc["indicators"] if i["target_form"] == "qualitative"}
    assert qualitative == QUALITATIVE_GOALS[stem]
    assert all(i.get("target_value") is None for i in doc["indicators"] if i["code"] in qualitative)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_blanket_clause_of_a_document_is_expanded_by_the_loader(path):
    """A clause that assigns bodies to every later task (以下均需…落实，不再列出) is listed, so the loader adds them."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    source = _collapse((SOURCES / doc["plan"]["source_file"]).read_text(encoding="utf-8"))
    clauses = re.findall(r"以下[^。;]*不再列出", source)
    listed = [_collapse(b["quote"]) for b in doc.get("blanket_assignments") or []]
    assert [c for c in clauses if not any(q in c or c in q for q in listed)] == []
    assert len(listed) == len(clauses)


def test_a_base_year_reading_offers_the_stored_year_and_others(plans):
    sy01 = Indicator.objects.get(plan__city__code="shenyang", code="SY-01")
    reading = sy01.readings.get(code="base_year")
    assert (reading.state, reading.chosen, sy01.base_year) == ("pending", "2019", 2019)
    assert {o["key"] for o in reading.options} >= {"2019", "2020"}


def test_nantong_measure_1s_bodies_carry_measures_2_to_17(plans):
    """Regression: 以下均需各县(市、区)人民政府、市各直属园区管委会落实，不再列出 was dropped (32 assignments)."""
    blanket = TaskAssignment.objects.filter(
        task__plan__city__code="nantong",
        department__name__in=["各县(市、区)人民政府", "市各直属园区管委会"],
        role=TaskAssignment.Role.RESPONSIBLE,
    )
    assert blanket.count() == 34
    assert blanket.exclude(task__number="1").count() == 32
    assert set(blanket.values_list("task__number", flat=True)) == {str(n) for n in range(1, 18)}


def test_zunyi_rows_3_and_8_keep_both_lead_departments_the_first_answering(plans):
    zy03 = Indicator.objects.get(plan__city__code="zunyi", code="ZY-03")
    zy08 = Indicator.objects.get(plan__city__code="zunyi", code="ZY-08")
    assert [d.name for d in zy03.leads] == [zy03.lead_department.name, "市农业农村局"]
    assert zy08.leads[1].name == "遵义银保监分局" and zy08.lead_department == zy08.leads[0]
    assert Indicator.objects.get(plan__city__code="zunyi", code="ZY-02").leads == [
        Indicator.objects.get(plan__city__code="zunyi", code="ZY-02").lead_department
    ]
