"""The status vocabulary: every status has a label, a rank and one colour used by badges, charts and workbooks."""

from core.status import (
    STATUS_COLOURS,
    STATUS_LABELS,
    STATUS_MEANINGS,
    STATUS_ORDER,
    Status,
    status_label,
    status_stylesheet,
)


def test_every_status_is_labelled_ranked_and_coloured():
    assert set(STATUS_LABELS) == set(STATUS_ORDER) == set(STATUS_COLOURS) == set(STATUS_MEANINGS) == set(Status)


def test_labels_are_the_chinese_words_leaders_read():
    assert status_label("lagging") == "滞后" and Status.AT_RISK.label == "预警"


def test_stylesheet_gives_each_status_one_colour_for_badge_and_chart():
    css = status_stylesheet()
    for status, colour in STATUS_COLOURS.items():
        assert f"--status-{status}:{colour.strong};" in css
        assert f".status-{status}{{background:{colour.strong};}}" in css
