"""The department overview's light (tasks.rules.department_light) agrees with the counts beside it."""

from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.rules import DEFAULT_LIGHT_RULE, Light, Signal, department_light, light_causes

counts = st.fixed_dictionaries({s: st.integers(min_value=0, max_value=50) for s in Signal})
# No deadline: pure and fast, but the shared 2-core machine can stall any one example past 200 ms.
relaxed = settings(deadline=None)
rules_ = st.fixed_dictionaries({s: st.sampled_from([Light.RED, Light.YELLOW, None]) for s in Signal})


@relaxed
@given(counts, rules_)
def test_red_exactly_when_a_red_signal_was_counted(counts, rule):
    red = any(n > 0 and rule[s] == Light.RED for s, n in counts.items())
    assert (department_light(counts, rule) == Light.RED) == red


@relaxed
@given(counts, rules_)
def test_yellow_exactly_when_no_red_and_a_yellow_signal_was_counted(counts, rule):
    lit = {rule[s] for s, n in counts.items() if n > 0}
    expected = Light.RED if Light.RED in lit else Light.YELLOW if Light.YELLOW in lit else Light.GREEN
    assert department_light(counts, rule) == expected


@relaxed
@given(counts, rules_, st.sampled_from(list(Signal)), st.integers(min_value=1, max_value=5))
def test_one_more_problem_never_improves_the_light(counts, rule, signal, more):
    rank = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}
    worse = {**counts, signal: counts[signal] + more}
    assert rank[department_light(worse, rule)] >= rank[department_light(counts, rule)]


@relaxed
@given(counts, rules_)
def test_the_causes_are_the_counted_signals_of_the_lights_colour(counts, rule):
    light, causes = department_light(counts, rule), light_causes(counts, rule)
    if light == Light.GREEN:
        assert causes == []
    else:
        assert causes and all(counts[s] > 0 and rule[s] == light for s in causes)
        assert {s for s in Signal if counts[s] > 0 and rule[s] == light} == set(causes)


@relaxed
@given(rules_)
def test_nothing_counted_is_green(rule):
    assert department_light(dict.fromkeys(Signal, 0), rule) == Light.GREEN


def test_the_default_rule_is_the_issues():
    """Red for an overdue 督办 item or an unanswered 批示; yellow for a lagging indicator or a late report."""
    zero = dict.fromkeys(Signal, 0)
    assert department_light({**zero, Signal.OVERDUE_SUPERVISION: 1}, DEFAULT_LIGHT_RULE) == Light.RED
    assert department_light({**zero, Signal.UNANSWERED_INSTRUCTIONS: 1}, DEFAULT_LIGHT_RULE) == Light.RED
    assert department_light({**zero, Signal.LAGGING: 1}, DEFAULT_LIGHT_RULE) == Light.YELLOW
    assert department_light({**zero, Signal.LATE_REPORTS: 1}, DEFAULT_LIGHT_RULE) == Light.YELLOW
    assert department_light({**zero, Signal.AT_RISK: 3}, DEFAULT_LIGHT_RULE) == Light.GREEN
    assert set(DEFAULT_LIGHT_RULE) == set(Signal)
