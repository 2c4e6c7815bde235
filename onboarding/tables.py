"""Tables as text copies of plan documents hold them: one cell per line, each ending in `|` (a line of
bars alone is an empty cell). Pure functions: no Django."""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    text: str
    start: int
    end: int


def tables(text: str) -> list[list[Cell]]:
    """Runs of consecutive cell lines, each run one table, every cell with its offsets in the text."""
    found, current, offset = [], [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if "|" in stripped:
            bar = line.index("|")
            body = line[:bar]
            lead = len(body) - len(body.lstrip())
            cell_text = body.strip()
            current.append(Cell(cell_text, offset + lead, offset + lead + len(cell_text)))
        elif current:
            found.append(current)
            current = []
        offset += len(line)
    if current:
        found.append(current)
    return found


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


INDICATOR_HEADERS = {
    "类别": "category",
    "序号": "number",
    "指标名称": "name",
    "指标": "name",
    "牵头单位": "lead",
    "责任单位": "lead",
    "单位": "unit",
    "计量单位": "unit",
    "目标数": "target",
    "目标值": "target",
    "预期值": "target",
    "目标": "target",
    "基期值": "base",
    "基数": "base",
    "现状值": "base",
    "属性": "kind",
    "备注": "note",
}


def header_role(cell: str) -> tuple[str | None, int | None]:
    """What a header cell names, and the year it carries (2020年 基期值 → base, 2020)."""
    text = compact(cell)
    year = re.match(r"^(\d{4})年", text)
    word = text[year.end() :] if year else text
    word = re.sub(r"[（(].*?[)）]$", "", word)
    return INDICATOR_HEADERS.get(word), int(year.group(1)) if year else None


def indicator_rows(table: list[Cell]) -> tuple[list[dict], dict] | None:
    """The rows of an indicator table (its header names 指标名称), each a {role: Cell} dict with the
    category that heads it; None when the table is not one. Also returns the years the header gives."""
    roles, years, i = [], {}, 0
    while i < len(table):
        role, year = header_role(table[i].text)
        if role is None:
            break
        roles.append(role)
        if year:
            years[role] = year
        i += 1
    if "name" not in roles or "target" not in roles:
        return None
    body = table[i:]
    rows = []
    if "number" in roles:
        after = roles[roles.index("number") + 1 :]
        before = roles[: roles.index("number")]
        expected, category, j = 1, None, 0
        starts = []
        while j < len(body):
            if compact(body[j].text) == str(expected):
                starts.append(j)
                expected += 1
            j += 1
        for n, s in enumerate(starts):
            stop = starts[n + 1] if n + 1 < len(starts) else len(body)
            cells = body[s + 1 : stop]
            trailing = []
            if "category" in before and n + 1 < len(starts) and len(cells) > len(after):
                trailing = cells[len(after) :]
                cells = cells[: len(after)]
            if n == 0 and "category" in before and s > 0:
                category = body[s - 1]
            row = {"category": category, "number": body[s]}
            for role, cell in zip(after, cells, strict=False):
                row[role] = cell
            if len(cells) < len(after):
                row["merged"] = True
            rows.append(row)
            if trailing:
                category = trailing[-1]
    else:
        width = len(roles)
        for s in range(0, len(body) - width + 1, width):
            rows.append(dict(zip(roles, body[s : s + width], strict=True)))
    return rows, years


SECTION = re.compile(r"^[(（]([一二三四五六七八九十]+)[)）]\s*(.+)$")
TITLE = re.compile(r"^(\d{1,2})[.．、]\s*([^。]{2,40})$")


def task_rows(table: list[Cell]) -> list[dict] | None:
    """The rows of a task breakdown table (header names 牵头单位 and 责任单位): section, number, title,
    text, lead and responsible cells. Rows under a numbered title N are N.1, N.2 …; rows straight under a
    section are 1, 2 …. None when the table is not one."""
    heads = [compact(c.text) for c in table[:8]]
    if "牵头单位" not in heads or "责任单位" not in heads:
        return None
    start = heads.index("责任单位") + 1
    cells = table[start:]
    rows, section, title, title_number, count = [], None, None, None, 0
    i = 0
    while i < len(cells):
        cell = cells[i]
        text = cell.text
        if not text:
            i += 1
            continue
        section_match = SECTION.match(text)
        title_match = TITLE.match(text)
        if section_match and len(text) <= 40:
            section = (f"({section_match.group(1)})", section_match.group(2).strip(), cell)
            title, title_number, count = None, None, 0
            i += 1
            continue
        if title_match:
            title = (title_match.group(2).strip(), cell)
            title_number, count = title_match.group(1), 0
            i += 1
            continue
        lead = cells[i + 1] if i + 1 < len(cells) else None
        responsible = cells[i + 2] if i + 2 < len(cells) else None
        count += 1
        rows.append(
            {
                "section": section[0] if section else "",
                "number": f"{title_number}.{count}" if title_number else str(count),
                "title": title[0] if title else (section[1] if section else text[:20]),
                "text": cell,
                "lead": lead,
                "responsible": responsible,
            }
        )
        i += 3
    return rows
