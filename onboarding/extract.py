"""Reading a plan document into proposals: rules and dictionaries, no model and no network.

Every proposal carries the words it came from (`quote`) and their character offsets in the text as given
(`span`), so a reviewer sees each one highlighted in its sentence. Where the words allow two readings the
proposal carries a reading (fixtures/plans/SCHEMA.md `readings`) with both, the more literal one chosen.
Pure functions: no Django.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from onboarding import departments as depts
from onboarding import tables
from onboarding.numerals import CHINESE_CHARS, plain, read_number, read_year

NO_TARGET = "no_target"
"""The notice when a text states no target the rules recognise; pages and commands word it."""
CJK = re.compile(r"[\u4e00-\u9fff]")
UNITS = (
    "万件",
    "亿元",
    "万元",
    "万人",
    "平方米",
    "件",
    "家",
    "个",
    "人",
    "项",
    "单",
    "次",
    "名",
    "所",
    "座",
    "%",
    "％",
)
UNIT_RE = "|".join(UNITS)
ARABIC = r"\d+(?:\.\d+)?"
TARGET = re.compile(
    rf"(?P<num>{ARABIC}(?:万(?![件元人]))?|[{CHINESE_CHARS}]+?)(?:\s*(?:至|-|—|~)\s*(?P<num2>{ARABIC}))?\s*"
    rf"(?P<unit>{UNIT_RE})(?P<floor>以上|及以上)?"
)
CHINESE_NUMBER_VERBS = ("培育", "建设", "建立", "打造", "新增", "组建", "实施", "形成", "认定", "建成")
"""A Chinese numeral counts as a target only straight after one of these (培育三家); elsewhere 三 and 六个
are part of names and slogans (“六个着力建设”)."""

FLOW_VERBS = (
    "培育", "建设", "建立", "打造", "新增", "组建", "实施", "形成", "认定", "支持", "开展", "推动", "吸引", "扶持",
    "发行", "选取", "举办", "引进", "建成",
)  # fmt: skip
STOCK_CUES = ("累计", "拥有量", "注册量", "有效", "达到", "增加到", "不低于", "保持")
LEAD_FILLERS = re.compile(
    r"^(?:[,，;；、和及与并]|到\d{4}年[底末]?|至\d{4}年[底末]?|\d{4}年[底末]?前?|试点期间|在试点期间|期间|规划期内|"
    r"力争|争取|确保|全市|我市|全省|全区|实现|推动|进一步|持续|累计|合计|其中|计划|预计|每年|年均)+"
)
TRAILING_CUES = re.compile(
    r"(?:年均增长|年均增幅|年均提高|年均新增|年均|较\d{4}年(?:底|末)?(?:增长|提高)|增长|增幅|提高|达到|达|增加到|增加|"
    r"超过|超|不低于|不少于|突破|累计达到|累计达|累计|合计达到|合计|为|保持在|保持|在|实现|新增|以上|每年|年)+$"
)
YEAR_BEFORE = re.compile(r"(?:到|至|截至|截止到?)?\s*(\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*(底|末|年底|前)?")
BASE_YEAR = re.compile(r"(?:以|较|比)(\d{4})年(?:底|末)?(?:为基数|为基期|为基准)?")
CLAUSE_END = re.compile(r"[。；;,，!！?？\n]|——")


@dataclass
class Context:
    """What the whole document says that each proposal needs: the plan period and the city."""

    period_start: date | None = None
    period_end: date | None = None
    disabled: frozenset = frozenset()
    fired: set = field(default_factory=set)

    def use(self, rule: str) -> bool:
        """Whether a named rule may apply; records that it did (for the leave-one-out measurement)."""
        if rule in self.disabled or rule.split(":")[0] in self.disabled:
            return False
        self.fired.add(rule)
        return True


def _span_quote(text: str, start: int, end: int) -> dict:
    return {"quote": text[start:end], "span": [start, end]}


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around [start, end): up to the previous and next 。 or line break."""
    left = max(text.rfind("。", 0, start), text.rfind("\n", 0, start), text.rfind("——", 0, start) + 1)
    right_candidates = [p for p in (text.find("。", end), text.find("\n", end)) if p != -1]
    right = min(right_candidates) if right_candidates else len(text)
    return left + 1, right


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = start
    while left > 0 and not CLAUSE_END.match(text, left - 1) and not text.startswith("——", left - 2):
        left -= 1
    match = CLAUSE_END.search(text, end)
    return left, match.start() if match else len(text)


# --- Plan metadata -----------------------------------------------------------------------------------------

DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{2,10}〔\d{4}〕\d+号")
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
TITLE_IN_NOTICE = re.compile(r"(?:将|印发)《([^》]{6,80}?)》")
TITLE_LINE = re.compile(r"关于印发(.{6,80}?)的通知")
ISSUER = re.compile(
    r"([\u4e00-\u9fff]{2,20}?(?:人民政府办公室|人民政府办公厅|人民政府|领导小组|委员会|办公室|管委会))\s*"
    r"(?:\n\s*)?(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
)
PERIOD_IN_TITLE = re.compile(r"[(（]\s*(\d{4})\s*[—\-–~至]+\s*(\d{4})\s*年?\s*[)）]")
PERIOD_MONTHS = re.compile(r"(?:期限|期间|时间)?自?(\d{4})年(\d{1,2})月(?:起)?至(\d{4})年(\d{1,2})月")
FIVE_YEAR_PLANS = {"十四五": (2021, 2025), "十五五": (2026, 2030), "十三五": (2016, 2020)}
PHASE = re.compile(
    r"(\d)[.．、]\s*([\u4e00-\u9fff]{2,8})\s*[(（]\s*(\d{4})年(\d{1,2})月\s*[至—\-]+\s*(\d{4})年(\d{1,2})月\s*[)）]\s*[。.]?"
    r"([^\n]*)"
)


def _month_end(year: int, month: int) -> date:
    first_of_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first_of_next - timedelta(days=1)


def plan_metadata(text: str) -> dict:
    """Title, 文号, issuer, issue date, period and phases, each with the words it came from."""
    plan: dict = {"title": None, "document_number": None, "issuer": None, "issue_date": None}
    head = text[:3000]
    number = DOC_NUMBER.search(head)
    if number and "《" not in head[max(0, number.start() - 40) : number.start()]:
        cited = head[max(0, number.start() - 2) : number.start()]
        if "(" not in cited and "（" not in cited:
            plan["document_number"] = number.group(0)
            plan["document_number_span"] = [number.start(), number.end()]
    title = TITLE_IN_NOTICE.search(head) or TITLE_LINE.search(head)
    if title:
        plan["title"] = re.sub(r"\s+", "", title.group(1)) if "\n" in title.group(1) else title.group(1).strip()
        plan["title_span"] = [title.start(1), title.end(1)]
    issuer = ISSUER.search(head)
    if issuer:
        plan["issuer"] = issuer.group(1).lstrip("，,。 ")
        plan["issuer_span"] = [issuer.start(1), issuer.end(1)]
        d = DATE.search(issuer.group(2))
        plan["issue_date"] = date(int(d.group(1)), int(d.group(2)), int(d.group(3))).isoformat()
    else:
        d = DATE.search(head)
        if d:
            plan["issue_date"] = date(int(d.group(1)), int(d.group(2)), int(d.group(3))).isoformat()
    org = re.search(r"发文机构[:：]\s*([\u4e00-\u9fff]{2,20})", head)
    if org and not plan["issuer"]:
        plan["issuer"] = org.group(1)
        plan["issuer_span"] = [org.start(1), org.end(1)]
    start = end = None
    months = PERIOD_MONTHS.search(text)
    years = PERIOD_IN_TITLE.search(plan["title"] or "") or PERIOD_IN_TITLE.search(head)
    if months and "试点" in text[max(0, months.start() - 20) : months.start()]:
        start = date(int(months.group(1)), int(months.group(2)), 1)
        end = _month_end(int(months.group(3)), int(months.group(4)))
        plan["period_quote"] = months.group(0)
    elif years:
        start, end = date(int(years.group(1)), 1, 1), date(int(years.group(2)), 12, 31)
        plan["period_quote"] = years.group(0)
    else:
        for key, (first, last) in FIVE_YEAR_PLANS.items():
            if key in (plan["title"] or head[:400]):
                start, end = date(first, 1, 1), date(last, 12, 31)
                plan["period_quote"] = key
                break
    plan["period_start"] = start.isoformat() if start else None
    plan["period_end"] = end.isoformat() if end else None
    city = re.match(r"([\u4e00-\u9fff]{2,6}?[市州盟])", plan["title"] or "")
    plan["city_name"] = city.group(1) if city else None
    phases = []
    for m in PHASE.finditer(text):
        phases.append(
            {
                "order": int(m.group(1)),
                "name": m.group(2),
                "start": date(int(m.group(3)), int(m.group(4)), 1).isoformat(),
                "end": _month_end(int(m.group(5)), int(m.group(6))).isoformat(),
                "description": m.group(7).strip(),
                **_span_quote(text, m.start(), m.end()),
            }
        )
    plan["phases"] = phases
    return plan


# --- Indicators ---------------------------------------------------------------------------------------------


def infer_unit(name: str) -> str:
    """The unit of the thing a growth target measures, from the last words of its name (a 年均增长8% says
    only how fast): money in 亿元, projects in 项, enterprises in 家, everything else counted in 件."""
    if re.search(r"(金额|成交额|融资额|产值|增加值|收入)$", name):
        return "亿元"
    if re.search(r"项目数$|项目数量$", name):
        return "项"
    if re.search(r"(企业|机构)(数|数量)?$", name):
        return "家"
    return "件"


def _measure_type(form: str, name: str, unit: str, sentence: str) -> str:
    if form in ("per_year_increment", "milestone"):
        return "flow"
    if unit in ("%", "％"):
        return "rate"
    if form == "compound_growth":
        return "stock" if re.search(r"拥有量|注册量|有效", name) else "annual"
    if form == "growth_since_base":
        return "stock"
    if re.search(r"年登记量|年度|年成交|年.*额$", name):
        return "annual"
    if "期间数" in sentence or "试点期间" in sentence:
        return "flow"
    if any(cue in sentence for cue in ("累计数",)):
        return "stock"
    return "stock" if re.search(r"拥有量|注册量|有效|数量$|达到|增加到|不低于", sentence + name) else "flow"


def _target_date(text: str, sentence_start: int, at: int, ctx: Context) -> tuple[str | None, str | None]:
    """The date a target is due: the last 到YYYY年(底) before it in its sentence, else the plan's end."""
    found = None
    for m in YEAR_BEFORE.finditer(text, sentence_start, at):
        before = text[max(0, m.start() - 1) : m.start()]
        after = text[m.end() : m.end() + 3]
        if before in ("较", "比", "以") or after.startswith(("为基", "基期", "月", "的", "以来")):
            continue
        year = read_year(m.group(1))
        if year:
            found = (year, m.group(0).strip())
    if found:
        return date(found[0], 12, 31).isoformat(), found[1]
    return (ctx.period_end.isoformat() if ctx.period_end else None), None


def _clean_name(name: str) -> str:
    name = name.strip(" 　“”\"'")
    for _ in range(3):
        name = LEAD_FILLERS.sub("", name)
        name = TRAILING_CUES.sub("", name).strip(" 　,，、")
    name = re.sub(
        r"^(?:培育|建设|建立|打造|新增|组建|实施|形成|认定|支持|开展|推动|吸引|扶持|发行|选取|建成)+", "", name
    )
    return name.strip(" 　,，、:：")


def _after_name(segment: str) -> str:
    """The thing counted when the number comes first (培育1个高价值专利培育中心): what follows, from its last 的."""
    segment = segment.strip(" 　,，")
    if "的" in segment:
        segment = segment[segment.rfind("的") + 1 :]
    segment = re.sub(r"(落户|为试点|投入运营|以上)$", "", segment)
    return segment.strip()


def _growth_names(name: str) -> list[str]:
    """A growth rate stated for two measures joined by 和 (质押融资金额和项目数年均增幅30%) applies to each."""
    parts = [p for p in re.split(r"和|及", name) if len(CJK.findall(p)) >= 2]
    return parts if len(parts) > 1 else [name]


def _readings(ind: dict, sentence: str, ctx: Context) -> list[dict]:
    """What the words leave open, as readings with the literal option chosen."""
    readings = []
    quote = ind["quote"]
    if ind["target_form"] == "threshold":
        readings.append(
            {
                "code": "level_or_line",
                "topic": "目标口径",
                "quote": quote,
                "question": "“以上”可以读作到期达到的水平，也可以读作期间每个季度都要守住的底线。",
                "chosen": "threshold",
                "options": [
                    {"key": "threshold", "label": "每期都不低于该值（底线）", "changes": {"target_form": "threshold"}},
                    {"key": "absolute", "label": "到期达到该值（水平）", "changes": {"target_form": "absolute"}},
                ],
            }
        )
    if ind["target_form"] == "absolute" and "累计" in sentence and ind["measure_type"] in ("stock", "flow"):
        chosen = ind["measure_type"]
        readings.append(
            {
                "code": "level_or_additions",
                "topic": "累计口径",
                "quote": quote,
                "question": "“累计”可以读作到期的存量水平，也可以读作方案期内新增的合计。",
                "chosen": chosen,
                "options": [
                    {"key": "stock", "label": "到期的存量（累计数）", "changes": {"measure_type": "stock"}},
                    {"key": "flow", "label": "方案期内新增合计（期间数）", "changes": {"measure_type": "flow"}},
                ],
            }
        )
    if ind["target_form"] in ("compound_growth", "growth_since_base") and ind["base_year"] is None and ctx.period_start:
        first = ctx.period_start.year
        ind["base_year"] = first - 1
        readings.append(
            {
                "code": "base_year",
                "topic": "基期年份",
                "quote": quote,
                "question": f"文件没有写基期年份。{first - 1}年是方案期前一年，不是文件写的年份。",
                "chosen": str(first - 1),
                "options": [
                    {"key": str(first - 1), "label": f"以{first - 1}年为基期（方案期前一年）",
                     "changes": {"base_year": first - 1}},
                    {"key": str(first), "label": f"以{first}年为基期（方案期第一年）", "changes": {"base_year": first}},
                ],
            }
        )  # fmt: skip
    if ind.get("range_high") is not None:
        low, high = ind["target_value"], ind.pop("range_high")
        readings.append(
            {
                "code": "range",
                "topic": "目标区间",
                "quote": quote,
                "question": f"文件写的是{low}至{high}：以下限为目标，还是以上限为目标？",
                "chosen": "low",
                "options": [
                    {"key": "low", "label": f"以下限{low}为目标", "changes": {"target_value": low}},
                    {"key": "high", "label": f"以上限{high}为目标", "changes": {"target_value": high}},
                ],
            }
        )
    ind.pop("range_high", None)
    return readings


ZERO_BREAKTHROUGH = re.compile(r"([\u4e00-\u9fffA-Za-z]{2,20}?)实现零的?突破")


def _zero_breakthroughs(text: str, ctx: Context) -> list[dict]:
    """…实现零突破: the first one, a milestone of 1 (unit read from the name)."""
    found = []
    for m in ZERO_BREAKTHROUGH.finditer(text):
        name = _clean_name(m.group(1))
        if len(name) < 2 or not ctx.use("zero_breakthrough"):
            continue
        sent_start, _ = _sentence_bounds(text, m.start(), m.end())
        target_date, _ = _target_date(text, sent_start, m.start(), ctx)
        found.append(
            {
                "name": name, "target_value": 1, "unit": infer_unit(name), "measure_type": "flow",
                "target_form": "milestone", "base_value": None, "base_year": None, "base_quote": None,
                "target_date": target_date, "lead": [], "category": None, "interim_targets": [], "target_group": None,
                "notes": "“零突破”读作至少1个；计量单位由指标名称推断。", "readings": [],
                **_span_quote(text, m.start(), m.end()),
            }
        )  # fmt: skip
    return found


def _body_targets(text: str, ctx: Context, skip: list[tuple[int, int]]) -> list[dict]:
    """Targets stated in sentences: a number with a unit, named by the words before it (达到25家) or after
    it (培育1个…中心), its form from the cue words around it."""
    found = []
    for m in TARGET.finditer(text):
        if any(a <= m.start() < b for a, b in skip):
            continue
        raw = m.group("num")
        value = read_number(raw)
        if value is None:
            continue
        prev = text[max(0, m.start() - 2) : m.start()]
        if not raw[0].isdigit():
            if not prev.endswith(CHINESE_NUMBER_VERBS) and not text[max(0, m.start() - 3) : m.start()].endswith(
                ("新增", "培育", "建成")
            ):
                continue
        elif prev[-1:] in (".", "第", "前") or re.match(r"\d", prev[-1:] or "x"):
            continue
        following = text[m.end() : m.end() + 2]
        if m.group("unit") in ("%", "％") and following.startswith(("的", "左右")) and "达" not in prev:
            continue
        clause_start, clause_end = _clause_bounds(text, m.start(), m.end())
        sent_start, sent_end = _sentence_bounds(text, m.start(), m.end())
        sentence = text[sent_start:sent_end]
        # the part of the clause that belongs to this number: from the previous target in the clause
        seg_start = clause_start
        for other in found:
            if clause_start <= other["_end"] <= m.start():
                seg_start = max(seg_start, other["_end"])
        before = text[seg_start : m.start()]
        after_end = clause_end
        nxt = TARGET.search(text, m.end(), clause_end)
        if nxt:
            after_end = nxt.start()
        after = text[m.end() : after_end]
        verb_before = before.rstrip().endswith(FLOW_VERBS) and ctx.use("name_after_verb")
        if len(CJK.findall(_after_name(after))) >= 2 and (verb_before or len(CJK.findall(_clean_name(before))) < 3):
            name = _after_name(after)
            quote_start, quote_end = seg_start, m.end() + len(after.rstrip(" 　,，、和及"))
        else:
            name = _clean_name(re.split(r"[、和及]$", before)[0] if before.endswith(("、", "和")) else before)
            quote_start, quote_end = seg_start, m.end()
        cues = text[max(clause_start, m.start() - 12) : m.start()]
        if len(CJK.findall(name)) < 2 or re.search(r"以上的|同比|增长了|增长至", text[m.end() : m.end() + 3]):
            continue
        if re.search(r"(截至|截止|已|现有|共有)", text[clause_start : m.start()]):
            continue
        if re.search(r"(不得|放宽)", text[clause_start : m.start()]) and ctx.use("constraint_skip"):
            continue
        if ctx.period_start:
            y = re.search(r"(\d{4})年", text[clause_start : m.start()])
            if y and int(y.group(1)) < ctx.period_start.year and not BASE_YEAR.search(text[clause_start : m.start()]):
                continue
        unit = m.group("unit").replace("％", "%")
        base_year = None
        base = BASE_YEAR.search(sentence)
        if unit == "%" and re.search(r"年均(增长|增幅|提高)", cues):
            form = "compound_growth"
        elif unit == "%" and re.search(r"较\d{4}年", cues + before):
            form = "growth_since_base"
        elif re.search(r"年均新增|每年", text[clause_start : m.start()]):
            form = "per_year_increment"
        elif "零突破" in text[m.start() : m.end() + 4]:
            form = "milestone"
        elif unit == "%" and re.search(r"率", name):
            form = "threshold" if (m.group("floor") or "不低于" in cues) else "absolute"
        elif unit == "%":
            form = "absolute"
        elif value == 1 and unit in ("个", "家", "单", "项", "件", "所", "座"):
            form = "milestone"
        else:
            form = "absolute"
        if form in ("compound_growth", "growth_since_base"):
            if base:
                base_year = int(base.group(1))
        names = [name]
        if (
            form in ("compound_growth", "growth_since_base")
            and len(_growth_names(name)) > 1
            and ctx.use("growth_split")
        ):
            names = _growth_names(name)
        target_date, date_quote = _target_date(text, sent_start, m.start(), ctx)
        for part in names:
            part_unit = infer_unit(part) if form in ("compound_growth", "growth_since_base") else unit
            ind = {
                "name": part,
                "target_value": plain(value),
                "unit": part_unit,
                "measure_type": None,
                "target_form": form,
                "base_value": None,
                "base_year": base_year,
                "base_quote": base.group(0) if base_year and base else None,
                "target_date": target_date,
                "lead": [],
                "category": None,
                "interim_targets": [],
                "target_group": None,
                "notes": "",
                "range_high": plain(read_number(m.group("num2"))) if m.group("num2") else None,
                **_span_quote(text, quote_start, quote_end),
                "_end": m.end(),
                "_sentence": sentence,
            }
            ind["measure_type"] = _measure_type(form, part, part_unit, sentence)
            if form in ("compound_growth", "growth_since_base"):
                ind["notes"] = f"计量单位“{part_unit}”由指标名称推断，文件只写了增长率。"
            if date_quote is None and ctx.period_end:
                ind["notes"] = (ind["notes"] + " 句中没有写完成时间，取方案期末。").strip()
            ind["readings"] = _readings(ind, sentence, ctx)
            found.append(ind)
    return found


GOALS_HEADING = re.compile(
    r"(?:[一二三四五六七八九十]、|[(（][一二三四五六七八九十][)）])\s*(?:工作|发展|建设|主要|总体)?目标"
)
QUALITATIVE_CUE = re.compile(
    r"(稳步提升|稳步增长|显著提升|显著提高|明显增加|全面提升|实现突破|投入运营|全覆盖|居全省前列|保持全国前列|建立健全|"
    r"得到进一步完善|有效加强|全面加强(?=[,，;；。\n])|"
    r"全省先进水平|跻身[\u4e00-\u9fff]{2,10}行列|建成全国一流)"
)
QUALITATIVE_LEAD = re.compile(r"^(?:到\d{4}年[底末]?|力争|推动|实现|建立健全|建成|全市|我市|进一步)+")


def _goal_regions(text: str) -> list[tuple[int, int, str | None]]:
    """Where a plan states its goals: from a 目标 heading to the next chapter heading."""
    regions: list = []
    for m in GOALS_HEADING.finditer(text):
        nxt = CHAPTER.search(text, m.end())
        regions.append((m.start(), nxt.start() if nxt else len(text), None))
    return regions


DATED_GOAL = re.compile(r"(?:^|(?<=[。\n]))\s*到\d{4}年[底末]?[,，][^。\n]+")
COVERAGE_GOAL = re.compile(r"实现[^,，;；。\n]{2,30}全覆盖(?=[,，;；。\n])")


def _task_goal_regions(text: str, goals: list[tuple[int, int, str | None]]) -> list[tuple[int, int, str]]:
    """Goals a plan states among its tasks, outside the goals section: a sentence that opens with its due
    year (到2025年,…居全省前列) and a clause 实现…全覆盖; each kind a rule of its own."""
    inside = [(a, b) for a, b, _ in goals]
    regions = []
    for pattern, rule in ((DATED_GOAL, "dated_goal"), (COVERAGE_GOAL, "coverage_goal")):
        for m in pattern.finditer(text):
            if not any(a <= m.start() < b for a, b in inside):
                regions.append((m.start(), m.end(), rule))
    return regions


def _qualitative_targets(text: str, ctx: Context, targets: list[dict]) -> list[dict]:
    """Goals without a number (…投入运营, …稳步提升, …全覆盖) in the goals section and the goal sentences among
    the tasks, each as a qualitative indicator; a heading line (——知识产权创造质量稳步提升) is a category."""
    found = []
    taken = [tuple(t["span"]) for t in targets]
    goals = _goal_regions(text)
    for start, end, rule in goals + _task_goal_regions(text, goals):
        for m in QUALITATIVE_CUE.finditer(text, start, end):
            clause_start, clause_end = _clause_bounds(text, m.start(), m.end())
            if text[max(0, clause_start - 2) : clause_start] == "——" or text[clause_end : clause_end + 1] == "\n":
                if text[max(0, clause_start - 2) : clause_start] == "——":
                    continue
            if any(a <= clause_start < b or clause_start <= a < clause_end for a, b in taken):
                continue
            if TARGET.search(text, clause_start, clause_end):
                continue
            words = text[clause_start:clause_end]
            name = QUALITATIVE_LEAD.sub("", text[clause_start : m.start()] or text[m.end() : clause_end]).strip()
            if m.group(1).startswith("跻身") or m.group(1).startswith("建成"):
                name = QUALITATIVE_LEAD.sub("", words).strip()
            if len(CJK.findall(name)) < 3 or (rule and not ctx.use(rule)):
                continue
            if not ctx.use(f"qualitative:{m.group(1)[:2]}"):
                continue
            if any(q["name"] == name for q in found):
                continue
            date_iso, _ = _target_date(text, _sentence_bounds(text, m.start(), m.end())[0], m.start(), ctx)
            names = [name]
            parts = re.split(r"和|及", name)
            if len(parts) == 2 and all(MEASURE_NOUN.search(p) for p in parts) and ctx.use("qualitative_pair"):
                names = parts  # 专利密集型产业增加值和地理标志产品产值显著提升: two measures, each to rise
            for part in names:
                found.append(_qualitative(text, part, clause_start, clause_end, date_iso))
            taken.append((clause_start, clause_end))
    return found


MEASURE_NOUN = re.compile(r"[\u4e00-\u9fff]{2,}(?:值|额|量|数|率)$")
MONEY = re.compile(r"(金额|成交额|融资额|产值|增加值|收入)$")


def _qualitative(text: str, name: str, clause_start: int, clause_end: int, date_iso) -> dict:
    """A goal without a number; a money measure (…产值) keeps its unit, 亿元, for when figures come."""
    return {
        "name": name,
        "target_value": None,
        "unit": "亿元" if MONEY.search(name) else "",
        "measure_type": "stock",
        "target_form": "qualitative",
        "base_value": None,
        "base_year": None,
        "base_quote": None,
        "target_date": date_iso,
        "lead": [],
        "category": _category(text, clause_start),
        "interim_targets": [],
        "target_group": None,
        "notes": "定性目标：文件没有给出数字。",
        "readings": [],
        **_span_quote(text, clause_start, clause_end),
    }


CATEGORY_CUES = re.compile(r"(?:——|\d[.．]|[(（][一二三四五六七八九十][)）])\s*(知识产权[\u4e00-\u9fff]{2,4})")


def _category(text: str, at: int) -> str:
    best = None
    for m in CATEGORY_CUES.finditer(text, max(0, at - 1500), at):
        best = m.group(1)
    return best or "主要目标"


def _table_targets(text: str, ctx: Context) -> tuple[list[dict], list[dict], list[tuple[int, int]]]:
    """Indicators from an indicator table: one per row, a merged target shared by rows as a target group."""
    found, groups, covered = [], [], []
    for table in tables.tables(text):
        parsed = tables.indicator_rows(table)
        if not parsed or not ctx.use("indicator_table"):
            continue
        rows, years = parsed
        covered.append((table[0].start, table[-1].end))
        for row in rows:
            name_cell = row.get("name")
            if name_cell is None:
                continue
            name = name_cell.text
            unit_cell = row.get("unit")
            unit = unit_cell.text.strip() if unit_cell else ""
            paren = re.search(r"[(（]([^()（）]{1,4})[)）]$", name)
            if paren and paren.group(1) in UNITS:
                unit = unit or paren.group(1)
                name = name[: paren.start()]
            target_cell = row.get("target")
            target_text = target_cell.text if target_cell else ""
            number = re.match(rf"\s*({ARABIC})", target_text)
            value = plain(read_number(number.group(1))) if number else None
            kind = "stock" if "累计" in target_text else "flow" if "期间" in target_text else None
            form = "absolute"
            if unit == "%" and re.search(r"增长$", name):
                form = "growth_since_base"
                unit = infer_unit(re.sub(r"增长$", "", name))
            elif unit == "%" and "率" in name:
                form = "threshold"
            elif value == 1 and unit in ("个", "家", "单", "项"):
                form = "milestone"
            target_year = years.get("target")
            base_cell = row.get("base")
            base_value = None
            if base_cell is not None:
                base_number = re.match(rf"\s*({ARABIC})", base_cell.text)
                base_value = plain(read_number(base_number.group(1))) if base_number else None
            start = row["number"].start if "number" in row else name_cell.start
            end = (target_cell or unit_cell or name_cell).end
            ind = {
                "name": name.strip(),
                "target_value": value,
                "unit": unit,
                "measure_type": None,
                "target_form": form,
                "base_value": base_value,
                "base_year": years.get("base") if base_value is not None else None,
                "base_quote": base_cell.text if base_value is not None else None,
                "target_date": date(target_year, 12, 31).isoformat()
                if target_year
                else (ctx.period_end.isoformat() if ctx.period_end else None),
                "lead": depts.split_list(row["lead"].text) if row.get("lead") else [],
                "category": row["category"].text if row.get("category") else "主要目标",
                "interim_targets": [],
                "target_group": None,
                "notes": "",
                "range_high": None,
                **_span_quote(text, start, end),
                "_end": end,
                "_sentence": target_text,
                "_table": True,
            }
            if form == "growth_since_base":
                base = BASE_YEAR.search(text)
                ind["base_year"] = int(base.group(1)) if base else None
                ind["notes"] = f"表中单位为%（增长率），计量单位“{unit}”由指标名称推断。"
            ind["measure_type"] = kind or _measure_type(form, ind["name"], unit, target_text)
            if unit in ("%",) and form != "growth_since_base":
                ind["measure_type"] = "rate"
            if row.get("merged") and found and ctx.use("merged_cells"):
                # A merged target cell: the number belongs to this row and the one before it together.
                first = found[-1]
                if first["target_group"] is None:
                    code = f"G{len(groups) + 1}"
                    groups.append(
                        {
                            "code": code,
                            "name": f"{first['name']}与{ind['name']}",
                            "target_value": first["target_value"],
                            "unit": first["unit"],
                            "measure_type": first["measure_type"],
                            "quote": first["quote"],
                            "span": first["span"],
                        }
                    )
                    first["target_group"] = code
                    first["target_value"] = None
                    first["notes"] = "合并单元格：目标数属于相邻两行合计。"
                ind["target_group"] = first["target_group"]
                ind["unit"] = ind["unit"] or first["unit"]
                ind["measure_type"] = first["measure_type"]
                ind["notes"] = "合并单元格：目标数属于相邻两行合计。"
            ind["readings"] = _readings(ind, target_text, ctx)
            found.append(ind)
    return found, groups, covered


def name_overlap(a: str, b: str, share: float = 0.5) -> bool:
    """The issue's name rule: the names share at least half (`share`) of the shorter name's characters."""
    a, b = depts.normalise(a), depts.normalise(b)
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if not short:
        return False
    shared = sum(1 for ch in short if ch in long_)
    return shared >= share * len(short)


SAME_MEASURE = 0.75
"""Two proposals name one measure when the shorter name shares this much of its characters with the other:
stricter than the scoring rule, so 新增国家级…快速维权机构1个、国家级…规范化市场1个 stay two."""


def _same_measure(a: str, b: str) -> bool:
    """知识产权 is in nearly every name, so it is left out before comparing."""
    a, b = a.replace("知识产权", ""), b.replace("知识产权", "")
    return bool(a and b) and name_overlap(a, b, SAME_MEASURE)


def _merge(indicators: list[dict], groups: list[dict], ctx: Context) -> list[dict]:
    """One proposal per target: a repeat (the table and the text, the goals and a task) is dropped; the
    same measure due earlier in a staged sentence becomes an interim target of the later one."""
    kept: list[dict] = []
    for ind in indicators:
        if any(g["target_value"] == ind["target_value"] and name_overlap(g["name"], ind["name"]) for g in groups):
            continue  # the text repeating a shared (merged-cell) target of a table, in whatever unit it says
        same = [k for k in kept if k["unit"] == ind["unit"] and _same_measure(k["name"], ind["name"])]
        if any(k["target_value"] == ind["target_value"] for k in same):
            continue
        twin = next(
            (
                k
                for k in same
                if k["target_form"] == ind["target_form"]
                and k["target_value"] is not None
                and ind["target_value"] is not None
                and k["target_date"]
                and ind["target_date"]
                and k["target_date"] != ind["target_date"]
                and (k["target_value"] <= ind["target_value"]) == (k["target_date"] < ind["target_date"])
            ),
            None,
        )
        if twin is None or not ctx.use("staged_targets"):
            kept.append(ind)
            continue
        early, late = (twin, ind) if twin["target_date"] < ind["target_date"] else (ind, twin)
        interim = {"date": early["target_date"], "value": early["target_value"], "source_quote": early["quote"],
                   "span": early["span"]}  # fmt: skip
        if late is twin:
            twin["interim_targets"].append(interim)
        else:
            late["interim_targets"] = twin["interim_targets"] + [interim]
            kept[kept.index(twin)] = late
    return kept


# --- Tasks --------------------------------------------------------------------------------------------------

CHAPTER = re.compile(r"(?:^|(?<=[\s。]))([一二三四五六七八九十]{1,3})、\s*([^\s。,，]{2,24})")
SUBSECTION = re.compile(
    r"(?:^|(?<=[\s。]))[(（]([一二三四五六七八九十]{1,3})[)）]\s*([^\n。]{2,40}?)(?=[。\n]|\s{2}|$)"
)
NOTE_OPEN = re.compile(r"[(（\[〔【]\s*(?=(?:牵头单位|责任单位|牵头部门|责任部门|配合单位)[:：])")
ROLE = re.compile(r"(牵头单位|牵头部门|责任单位|责任部门|配合单位)[:：]")
BLANKET = re.compile(r"以下均[需由]?(.+?)(?:负责)?落实[,，、]?\s*不再[一逐]?[一]?列出")
NUMBERED = re.compile(r"(?:^|(?<=[\s。\]）)〕】]))(\d{1,2})[.．、]\s*([^。\n]{2,40}?)[。.](?!\d)")


def _close(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, min(len(text), open_at + 800)):
        if text[i] in depts.OPEN:
            depth += 1
        elif text[i] in depts.CLOSE:
            depth -= 1
            if depth == 0:
                return i
    return -1


def _headings(text: str) -> list[tuple[int, str, str, str]]:
    found = [(m.start(), "chapter", f"{m.group(1)}、", m.group(2)) for m in CHAPTER.finditer(text)]
    found += [(m.start(), "sub", f"({m.group(1)})", m.group(2).strip()) for m in SUBSECTION.finditer(text)]
    return sorted(found)


def _assignment_note(text: str, note: str) -> tuple[list[str], list[str], str | None]:
    """牵头单位/责任单位 lists in one bracketed note; the blanket clause it carries, if any."""
    lead, responsible, blanket = [], [], None
    marks = list(ROLE.finditer(note))
    for n, m in enumerate(marks):
        body = note[m.end() : marks[n + 1].start() if n + 1 < len(marks) else len(note)]
        clause = BLANKET.search(body)
        if clause:
            blanket = clause
            body = body[: clause.start()]
        names = depts.split_list(body.strip(" ;；。"))
        (lead if m.group(1).startswith("牵头") else responsible).extend(names)
    return lead, responsible, blanket


def _body_tasks(text: str, ctx: Context) -> tuple[list[dict], list[dict]]:
    """Tasks whose text ends in a bracketed 牵头单位/责任单位 note, numbered as the document numbers them."""
    headings = _headings(text)
    tasks, blankets = [], []
    boundary = 0
    for m in NOTE_OPEN.finditer(text):
        close = _close(text, m.start())
        if close == -1:
            continue
        note = text[m.end() : close]
        lead, responsible, blanket = _assignment_note(text, note)
        if not (lead or responsible):
            continue
        chapter = next((h for h in reversed(headings) if h[0] < m.start() and h[1] == "chapter"), None)
        sub = next((h for h in reversed(headings) if h[0] < m.start() and h[1] == "sub"), None)
        if sub and chapter and sub[0] < chapter[0]:
            sub = None
        numbered = None
        for n in NUMBERED.finditer(text, boundary, m.start()):
            numbered = n
        if numbered and (sub is None or numbered.start() > sub[0]):
            section = f"{chapter[2] if chapter else ''}{sub[2] if sub else ''}"
            number, title, start = numbered.group(1), numbered.group(2).strip(), numbered.start()
            body_start = numbered.end()
        elif sub and sub[0] >= boundary:
            section, number, title, start = chapter[2] if chapter else "", sub[2], sub[3], sub[0]
            body_start = sub[0] + len(sub[2]) + len(sub[3]) + 1
        else:
            boundary = close + 1
            continue
        task = {
            "section": section,
            "number": number,
            "title": title,
            "text": text[body_start : m.start()].strip(),
            "lead": lead,
            "responsible": responsible,
            **_span_quote(text, start, close + 1),
        }
        tasks.append(task)
        if blanket and ctx.use("blanket_clause"):
            blankets.append(
                {
                    "from_task": {"section": section, "number": number},
                    "quote": blanket.group(0),
                    "departments": depts.split_list(blanket.group(1)),
                }
            )
        boundary = close + 1
    return tasks, blankets


def _table_tasks(text: str, ctx: Context) -> list[dict]:
    found = []
    for table in tables.tables(text):
        rows = tables.task_rows(table)
        if not rows or not ctx.use("task_table"):
            continue
        for row in rows:
            lead = depts.split_list(row["lead"].text) if row["lead"] else []
            responsible = depts.split_list(row["responsible"].text) if row["responsible"] else []
            end = (row["responsible"] or row["lead"] or row["text"]).end
            found.append(
                {
                    "section": row["section"],
                    "number": row["number"],
                    "title": row["title"],
                    "text": row["text"].text,
                    "lead": lead,
                    "responsible": responsible,
                    **_span_quote(text, row["text"].start, end),
                }
            )
    return found


# --- Leading group ------------------------------------------------------------------------------------------

DEPARTMENT_END = re.compile(r"(?:局|委|部|院|校|会|行|关|政府|办|中心)(?:[(（][^()（）]{2,12}[)）])?")


def _department_in_post(post: str, families: set[str]) -> str | None:
    """The longest start of a post (市人力资源社会保障局局长 → 市人力资源社会保障局) that spells a department the
    plan names elsewhere; None when the post names none of them (市长, 副秘书长)."""
    best = None
    for m in DEPARTMENT_END.finditer(post):
        candidate = post[: m.end()]
        if depts.family_key(candidate) in families:
            best = candidate
    return best


ROLE_LINE = re.compile(r"^(组\s*长|副\s*组\s*长|成\s*员)\s*[:：]?\s*")
MEMBER = re.compile(r"^([\u4e00-\u9fff](?:\s{0,3}[\u4e00-\u9fff]){1,3}?)\s+(\S.{1,60})$")


def leading_group(text: str) -> list[dict]:
    """The roster: 组长, 副组长 and 成员 lines (name, then post), names with alignment spaces removed."""
    start = None
    for m in re.finditer(r"领导小组", text):
        tail = text[m.end() : m.end() + 60]
        if re.search(r"^\s*\n\s*组\s*长|^\s*\n?\s*组\s*长", tail):
            start = m.end()
            break
    if start is None:
        return []
    members, role = [], None
    offset = start
    for line in text[start:].splitlines(keepends=True):
        line_start = offset
        offset += len(line)
        stripped = line.strip()
        if not stripped:
            continue
        head = ROLE_LINE.match(stripped)
        if head:
            word = re.sub(r"\s", "", head.group(1))
            role = {"组长": "leader", "副组长": "deputy_leader", "成员": "member"}[word]
            stripped = stripped[head.end() :]
        elif role is None:
            break
        member = MEMBER.match(stripped)
        if not member or len(CJK.findall(member.group(1))) > 4 or "。" in stripped or len(stripped) > 50:
            if members:
                break
            continue
        name = re.sub(r"\s", "", member.group(1))
        post = member.group(2).strip()
        lead_in = line.find(stripped[:4]) if stripped[:4] in line else 0
        members.append(
            {
                "order": len(members) + 1,
                "role": role,
                "name": name,
                "post": post,
                "department": None,
                **_span_quote(text, line_start + lead_in, line_start + len(line.rstrip())),
            }
        )
    return members


# --- The whole document ------------------------------------------------------------------------------------


def propose(text: str, *, disabled: frozenset = frozenset(), fired: set | None = None) -> dict:
    """Every proposal the document supports: plan, indicators (with readings), target groups, tasks,
    blanket assignments, leading group, departments. Offsets are into `text` as given. `disabled` names
    rules to leave out and `fired` collects the rules that applied (the leave-one-out measurement)."""
    plan = plan_metadata(text)
    ctx = Context(
        period_start=date.fromisoformat(plan["period_start"]) if plan["period_start"] else None,
        period_end=date.fromisoformat(plan["period_end"]) if plan["period_end"] else None,
        disabled=disabled,
        fired=fired if fired is not None else set(),
    )
    table_indicators, groups, covered = _table_targets(text, ctx)
    roster = leading_group(text)
    if roster:
        covered.append((roster[0]["span"][0], roster[-1]["span"][1]))
    body_indicators = _body_targets(text, ctx, covered) + _zero_breakthroughs(text, ctx)
    for ind in body_indicators:
        ind["category"] = _category(text, ind["span"][0])
    indicators = _merge(table_indicators + body_indicators, groups, ctx)
    indicators += _qualitative_targets(text, ctx, indicators)
    indicators.sort(key=lambda i: i["span"][0])
    for ind in indicators:
        ind.pop("_end", None)
        ind.pop("_sentence", None)
        ind.pop("_table", None)
    tasks, blankets = _body_tasks(text, ctx)
    tasks += _table_tasks(text, ctx)
    names = []
    for t in tasks:
        names += t["lead"] + t["responsible"]
    for b in blankets:
        names += b["departments"]
    for ind in indicators:
        names += ind["lead"]
    families = {depts.family_key(n) for n in names}
    for member in roster:
        # The post's own spelling of a department the plan names elsewhere (刘利民 市市场监管局(知识产权局)局长).
        spelling = _department_in_post(member["post"], families)
        if spelling:
            member["department"] = spelling
            names.append(spelling)
    departments = depts.group(names)
    notices = [] if indicators else [NO_TARGET]
    return {
        "plan": plan,
        "indicators": indicators,
        "target_groups": groups,
        "tasks": tasks,
        "blanket_assignments": blankets,
        "leading_group": roster,
        "departments": departments,
        "notices": notices,
    }
