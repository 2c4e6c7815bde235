"""Department names as plan documents write them: splitting a 责任单位 list, and telling which spellings
name one department. Pure functions: no Django."""

import re

OPEN, CLOSE = "(（[〔【", ")）]〕】"
LIST_SEPARATORS = "、,，;；"

_GROUP_HEAD = re.compile(r"^(各|相关|有关)[\u4e00-\u9fff]{0,3}[区县市乡镇]$")
"""各区 / 相关区 before 、县(市)政府: the first half of one department written as a list (各区、县(市)政府)."""


def split_list(text: str) -> list[str]:
    """The departments of one 牵头单位/责任单位 list, verbatim and in order. Separators inside brackets
    (各县(市、区)人民政府) do not split; 各区、县(市)政府 stays one department."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and ch in LIST_SEPARATORS:
            parts.append(("".join(current), ch))
            current = []
        else:
            current.append(ch)
    parts.append(("".join(current), ""))
    names = []
    pending = ""
    for part, separator in parts:
        part = part.strip().strip("。.等")
        if not part:
            continue
        if pending:
            part, pending = pending + part, ""
        if _GROUP_HEAD.match(part) and separator == "、":
            pending = part + separator
            continue
        names.append(part)
    if pending:
        names.append(pending.rstrip("、"))
    return [n for n in names if 2 <= len(n) <= 40]


def normalise(name: str) -> str:
    """A spelling compared across documents and pages: no spaces, ASCII brackets."""
    return re.sub(r"\s+", "", name).translate(str.maketrans("（）〔〕【】", "()()()"))


def family_key(name: str) -> str:
    """Spellings with one key name one department: 市市场监管局(知识产权局), 市市场监管局 (市知识产权局),
    市市场监管局 and 市场监管局 all read 市场监管局."""
    key = re.sub(r"\([^()]*\)", "", normalise(name))
    if key.startswith("市市"):
        key = key[1:]
    elif key.startswith("市") and not key.startswith("市场") and len(key) > 3:
        key = key[1:]
    return key


def is_programme_owner(name: str) -> bool:
    """The market-supervision / IP bureau owns the programme in every plan."""
    return "知识产权局" in name or "市场监管" in name


def group(names: list[str]) -> list[dict]:
    """Departments from every spelling a document uses: the longest spelling is the name, the rest aliases."""
    families: dict[str, list[str]] = {}
    for name in names:
        spellings = families.setdefault(family_key(name), [])
        if name not in spellings:
            spellings.append(name)
    found = []
    for spellings in families.values():
        canonical = max(spellings, key=len)
        found.append({"name": canonical, "aliases": spellings, "is_programme_owner": False})
    owners = [d for d in found if is_programme_owner(d["name"])]
    if owners:
        max(owners, key=lambda d: len(d["aliases"]))["is_programme_owner"] = True
    return found
