"""How good the proposals are, measured against a checked plan fixture with the issue's matching rule.

Indicators match when target value and unit agree and the names share at least half of the shorter name's
characters (each fixture indicator matched at most once, by the largest one-to-one pairing). Assignments
match on (task, department, lead or responsible), a task named by its section and number, a department by
its spelling; blanket clauses are expanded on both sides as the loader expands them. Pure: no Django.
"""

from dataclasses import dataclass
from decimal import Decimal

from onboarding.departments import normalise
from onboarding.extract import name_overlap


@dataclass
class Score:
    found: int
    expected: int
    matched: int

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else (1.0 if not self.expected else 0.0)


def _value(v):
    return None if v is None else Decimal(str(v)).normalize()


def indicator_pair(proposed: dict, expected: dict) -> bool:
    """The issue's rule for one pair: target value and unit agree, names share half the shorter's characters."""
    return (
        _value(expected.get("target_value")) == _value(proposed.get("target_value"))
        and (expected.get("unit") or "") == (proposed.get("unit") or "")
        and name_overlap(expected["name"], proposed["name"])
    )


def indicator_score(proposed: list[dict], expected: list[dict]) -> Score:
    """Matched = the largest one-to-one pairing of proposals with fixture indicators under the rule (so a
    loose early pair cannot take the fixture row a later, exact proposal needs)."""
    candidates = [[j for j, e in enumerate(expected) if indicator_pair(p, e)] for p in proposed]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set) -> bool:
        for j in candidates[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    matched = sum(1 for i in range(len(proposed)) if augment(i, set()))
    return Score(found=len(proposed), expected=len(expected), matched=matched)


def _task_key(section: str, number) -> str:
    return f"{normalise(section)}/{normalise(str(number))}"


def assignments(tasks: list[dict], blankets: list[dict]) -> set[tuple[str, str, str]]:
    """(task, department, role) triples, blanket clauses expanded onto every later task."""
    found = set()
    order = [_task_key(t["section"], t["number"]) for t in tasks]
    for t in tasks:
        key = _task_key(t["section"], t["number"])
        for name in t.get("lead") or []:
            found.add((key, normalise(name), "lead"))
        for name in t.get("responsible") or []:
            found.add((key, normalise(name), "responsible"))
    for b in blankets:
        origin = _task_key(b["from_task"]["section"], b["from_task"]["number"])
        if origin not in order:
            continue
        for key in order[order.index(origin) + 1 :]:
            listed = {d for k, d, _ in found if k == key}
            for name in b["departments"]:
                if normalise(name) not in listed:
                    found.add((key, normalise(name), "responsible"))
    return found


def assignment_score(proposal: dict, fixture: dict) -> Score:
    got = assignments(proposal["tasks"], proposal.get("blanket_assignments") or [])
    want = assignments(fixture.get("tasks") or [], fixture.get("blanket_assignments") or [])
    return Score(found=len(got), expected=len(want), matched=len(got & want))


def document_scores(documents: list[tuple[str, str, dict]]) -> list[dict]:
    """Per document (label, text, fixture): indicator and assignment scores with every rule, and
    leave-one-out — scored again without the rules that applied to this document and to no other one
    (what rules written while looking at the other four would have had)."""
    from onboarding.extract import propose

    fired = {}
    for label, text, _fixture in documents:
        fired[label] = set()
        propose(text, fired=fired[label])
    rows = []
    for label, text, fixture in documents:
        others = set().union(*(fired[o] for o in fired if o != label))
        own = frozenset(fired[label] - others)
        full = propose(text)
        held_out = propose(text, disabled=own)
        rows.append(
            {
                "document": label,
                "indicators": indicator_score(full["indicators"], fixture["indicators"]),
                "assignments": assignment_score(full, fixture),
                "loo_indicators": indicator_score(held_out["indicators"], fixture["indicators"]),
                "loo_assignments": assignment_score(held_out, fixture),
                "own_rules": sorted(own),
            }
        )
    return rows


def total(scores: list[Score]) -> Score:
    return Score(
        found=sum(s.found for s in scores),
        expected=sum(s.expected for s in scores),
        matched=sum(s.matched for s in scores),
    )
