"""The text rules, one table row per rule, on sentences written for the test (not the seeds)."""

import pytest

from onboarding import departments
from onboarding.extract import propose

HEAD = (
    "扬州市人民政府办公室关于印发扬州市知识产权强市建设工作方案(2025—2027年)的通知\n"
    "扬州市人民政府办公室\n2025年3月1日\n"
)


def one(sentence: str) -> dict:
    found = propose(HEAD + "一、工作目标\n" + sentence + "\n二、主要任务\n")["indicators"]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    "sentence, name, value, unit, form, measure",
    [
        ("全市有效发明专利量达到1.5万件。", "有效发明专利量", 1.5, "万件", "absolute", "stock"),
        ("有效注册商标数达28万件。", "有效注册商标数", 28, "万件", "absolute", "stock"),
        (
            "每万人口高价值发明专利拥有量年均增长8%以上。",
            "每万人口高价值发明专利拥有量",
            8,
            "件",
            "compound_growth",
            "stock",
        ),
        ("专利技术合同成交额年均增幅40%以上。", "专利技术合同成交额", 40, "亿元", "compound_growth", "annual"),
        ("培育3家产业知识产权运营中心。", "产业知识产权运营中心", 3, "家", "absolute", "flow"),
        ("培育三家产业知识产权运营中心。", "产业知识产权运营中心", 3, "家", "absolute", "flow"),
        ("知识产权优势企业年均新增3家以上。", "知识产权优势企业", 3, "家", "per_year_increment", "flow"),
        ("各类执法案件结案率达到90%以上。", "各类执法案件结案率", 90, "%", "threshold", "rate"),
        ("专利密集型产业增加值占GDP比重达17%。", "专利密集型产业增加值占GDP比重", 17, "%", "absolute", "rate"),
        ("力争PCT申请实现零突破。", "PCT申请", 1, "件", "milestone", "flow"),
        ("建设1家区域性知识产权运营服务平台。", "区域性知识产权运营服务平台", 1, "家", "milestone", "flow"),
    ],
)
def test_cue_words_give_form_unit_and_name(sentence, name, value, unit, form, measure):
    ind = one(sentence)
    assert (ind["name"], ind["target_value"], ind["unit"], ind["target_form"], ind["measure_type"]) == (
        name, value, unit, form, measure,
    )  # fmt: skip
    start, end = ind["span"]
    assert (HEAD + "一、工作目标\n" + sentence)[start:end] == ind["quote"]


@pytest.mark.parametrize(
    "sentence, name",
    [
        ("知识产权行政执法全面加强。", "知识产权行政执法"),
        ("知识产权公共服务能力有效加强。", "知识产权公共服务能力"),
        ("企业知识产权管理水平显著提升。", "企业知识产权管理水平"),
    ],
)
def test_a_goal_without_a_number_is_a_qualitative_indicator(sentence, name):
    ind = one(sentence)
    assert (ind["name"], ind["target_value"], ind["target_form"]) == (name, None, "qualitative")


def test_goals_stated_among_the_tasks_are_qualitative_indicators():
    text = (
        HEAD + "一、工作目标\n知识产权公共服务能力显著提升。\n二、主要任务\n(一)加强执法。开展专项行动,"
        "实现知识产权纠纷快速调解全覆盖,促进企业发展。支持企业申请专利。到2026年,企业知识产权管理水平稳步提升。\n"
        "(二)强化服务。提升知识产权服务能力稳步提升的水平,持续开展培训。\n"
    )
    found = [(i["name"], i["target_date"]) for i in propose(text)["indicators"]]
    assert found == [
        ("知识产权公共服务能力", "2027-12-31"),
        ("知识产权纠纷快速调解", "2027-12-31"),
        ("企业知识产权管理水平", "2026-12-31"),
    ]
    held_out = propose(text, disabled=frozenset({"dated_goal", "coverage_goal"}))["indicators"]
    assert [i["name"] for i in held_out] == ["知识产权公共服务能力"]


def test_colliding_cues_become_a_reading_with_both_choices():
    ind = one("各类执法案件结案率达到90%以上。")
    reading = next(r for r in ind["readings"] if r["code"] == "level_or_line")
    assert reading["chosen"] == "threshold"
    assert {o["changes"]["target_form"] for o in reading["options"]} == {"threshold", "absolute"}


def test_growth_without_a_base_year_is_a_reading_not_a_fact():
    ind = one("国内商标有效注册量年均增长8%以上。")
    assert ind["base_year"] == 2024 and ind["base_value"] is None
    assert next(r for r in ind["readings"] if r["code"] == "base_year")["chosen"] == "2024"


def test_staged_targets_become_interim_targets():
    ind = one("到2026年底专利密集型产品备案达到100件,到2027年底专利密集型产品备案达到200件。")
    assert ind["target_value"] == 200 and ind["target_date"] == "2027-12-31"
    assert [(t["date"], t["value"]) for t in ind["interim_targets"]] == [("2026-12-31", 100)]


def test_a_growth_rate_for_two_measures_applies_to_each():
    found = propose(HEAD + "一、工作目标\n以2024年为基数,知识产权质押融资金额和项目数年均增幅30%以上。\n")["indicators"]
    assert [(i["name"], i["unit"], i["base_year"]) for i in found] == [
        ("知识产权质押融资金额", "亿元", 2024),
        ("项目数", "项", 2024),
    ]


def test_plan_metadata():
    plan = propose(
        "扬政办发〔2025〕7号\n" + HEAD + "经市政府同意,现将《扬州市知识产权强市建设工作方案(2025—2027年)》印发给你们。"
    )["plan"]
    assert plan["document_number"] == "扬政办发〔2025〕7号"
    assert plan["title"] == "扬州市知识产权强市建设工作方案(2025—2027年)"
    assert plan["issuer"] == "扬州市人民政府办公室" and plan["issue_date"] == "2025-03-01"
    assert (plan["period_start"], plan["period_end"]) == ("2025-01-01", "2027-12-31")
    assert plan["city_name"] == "扬州市"


def test_bracketed_notes_and_blanket_clause():
    text = HEAD + (
        "二、主要任务\n(一)强化统筹\n"
        "1.加强工作统筹。建立工作机制。〔责任单位:市市场监管局(知识产权局)、市发改委,各县(市、区)人民政府。"
        "以下均需各县(市、区)人民政府落实,不再列出〕\n"
        "2.完善政策。出台条例。(牵头单位:市司法局;责任单位:市财政局、各区、县(市)政府)\n"
    )
    proposal = propose(text)
    tasks = proposal["tasks"]
    assert [(t["section"], t["number"], t["title"]) for t in tasks] == [
        ("二、(一)", "1", "加强工作统筹"),
        ("二、(一)", "2", "完善政策"),
    ]
    assert tasks[0]["responsible"] == ["市市场监管局(知识产权局)", "市发改委", "各县(市、区)人民政府"]
    assert tasks[1]["lead"] == ["市司法局"] and tasks[1]["responsible"] == ["市财政局", "各区、县(市)政府"]
    assert proposal["blanket_assignments"][0]["departments"] == ["各县(市、区)人民政府"]


def test_breakdown_table_rows_are_numbered_under_their_title():
    text = HEAD + (
        "序号 |\n主要工作内容 |\n牵头单位 |\n责任单位 | |\n(一)提高创造质量 |\n1.促进专利增长 |\n"
        "引导企业获取核心技术。 |\n市市场监管局 |\n市科技局,各县(市、区)人民政府 | |\n"
        "加强研发机构培育。 |\n市市场监管局 |\n||\n"
    )
    tasks = propose(text)["tasks"]
    assert [(t["section"], t["number"], t["lead"], t["responsible"]) for t in tasks] == [
        ("(一)", "1.1", ["市市场监管局"], ["市科技局", "各县(市、区)人民政府"]),
        ("(一)", "1.2", ["市市场监管局"], []),
    ]


def test_leading_group_roster():
    roster_text = "附件\n扬州市知识产权工作领导小组\n组  长  王一鸣 市长\n副组长  李 强  副市长\n"
    text = HEAD + roster_text + "成  员  钱  锋 市科技局局长\n张春丽 市财政局局长\n"
    roster = propose(text)["leading_group"]
    assert [(m["role"], m["name"], m["post"]) for m in roster] == [
        ("leader", "王一鸣", "市长"),
        ("deputy_leader", "李强", "副市长"),
        ("member", "钱锋", "市科技局局长"),
        ("member", "张春丽", "市财政局局长"),
    ]


def test_no_recognisable_target_proposes_nothing_and_says_so():
    proposal = propose(HEAD + "一、工作目标\n坚持以习近平新时代中国特色社会主义思想为指导,全面加强知识产权保护。\n")
    assert proposal["indicators"] == []
    assert proposal["notices"]


def test_one_department_in_several_spellings():
    found = departments.group(["市市场监管局(知识产权局)", "市市场监管局", "市场监管局", "市科技局", "科技局"])
    assert [(d["name"], sorted(d["aliases"]), d["is_programme_owner"]) for d in found] == [
        ("市市场监管局(知识产权局)", sorted(["市市场监管局(知识产权局)", "市市场监管局", "市场监管局"]), True),
        ("市科技局", ["市科技局", "科技局"], False),
    ]
