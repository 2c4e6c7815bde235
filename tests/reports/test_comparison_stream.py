"""The comparison workbook written in openpyxl's write-only mode, a chunk of rows at a time, reads exactly as
the one built in memory did (tests.reports.legacy_comparison): every cell's value, type and style, widths,
heights, merges, frozen panes, filter and print setup."""

import pytest
from django.utils import timezone
from openpyxl.xml.functions import tostring

from core.periods import closed_quarters
from indicators.services import indicator_history_rebuild, indicator_progress_recompute
from ops.synthetic import synthetic_generate
from plans.models import City, Plan
from reports import selectors, workbooks
from tests.reports import legacy_comparison as legacy
from tests.reports.conftest import Q, saved

STYLES = ("font", "fill", "border", "alignment", "protection")


def _look(cell) -> tuple:
    """A cell's style as written: the XML of each style object, its number format and quote prefix."""
    return (*(tostring(getattr(cell, name).to_tree()) for name in STYLES), cell.number_format, cell.quotePrefix)


def _sheet_facts(ws) -> dict:
    setup = ws.page_setup
    return {
        "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.width},
        "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "freeze": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
        "titles": ws.print_title_rows,
        "setup": (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight),
        "fit": ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
        "margins": ws.page_margins.to_tree().attrib,
        "options": ws.print_options.to_tree().attrib,
        "header": (ws.oddHeader.center.text, ws.oddFooter.center.text),
        "breaks": [b.id for b in ws.row_breaks.brk],
    }


def assert_same_workbook(old, new):
    assert new.sheetnames == old.sheetnames
    assert (new.properties.title, new.properties.creator) == (old.properties.title, old.properties.creator)
    for name in old.sheetnames:
        was, now = old[name], new[name]
        assert _sheet_facts(now) == _sheet_facts(was), name
        assert (now.max_row, now.max_column) == (was.max_row, was.max_column), name
        for old_row, new_row in zip(was.iter_rows(), now.iter_rows(), strict=True):
            for a, b in zip(old_row, new_row, strict=True):
                assert (b.value, b.data_type) == (a.value, a.data_type), (name, a.coordinate)
                assert _look(b) == _look(a), (name, a.coordinate)


@pytest.fixture
def synthetic(db):
    synthetic_generate(cities=12, indicators_per_city=8, quarters=8, seed=3)
    # stored snapshots for most quarters; the newest closed one is left to be computed for some indicators
    indicator_history_rebuild()
    indicator_progress_recompute()
    plan = Plan.objects.filter(city__is_synthetic=True).order_by("code").first()
    return closed_quarters(plan.period_start, plan.period_end, today=timezone.localdate())


@pytest.mark.parametrize("chunk", [5, 2000])
def test_the_streamed_comparison_reads_as_the_one_built_in_memory(synthetic, monkeypatch, chunk):
    monkeypatch.setattr(selectors, "COMPARISON_CHUNK", chunk)  # chunks that end inside a key and inside a plan
    cities = City.objects.filter(is_synthetic=True)
    for quarter in synthetic[:2]:
        for key in ["", "synthetic_01"]:
            old = legacy.comparison_workbook(
                legacy.comparison_report(cities=cities, quarter=quarter, catalogue_key=key)
            )
            new = workbooks.comparison_workbook(
                selectors.comparison_report(cities=cities, quarter=quarter, catalogue_key=key)
            )
            assert_same_workbook(saved(old), saved(new))


def test_the_streamed_comparison_of_the_report_world_reads_as_before(report_world):
    cities = selectors.comparison_cities(user=report_world.admin)
    old = legacy.comparison_workbook(legacy.comparison_report(cities=cities, quarter=Q))
    new = workbooks.comparison_workbook(selectors.comparison_report(cities=cities, quarter=Q))
    assert_same_workbook(saved(old), saved(new))
