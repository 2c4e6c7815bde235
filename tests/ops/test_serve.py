"""The embedded default runs the beat schedule in-process, so the nightly work is never silently absent."""

import datetime as dt
from decimal import Decimal

import pytest

from indicators.models import IndicatorProgress
from ops.management.commands.serve import run_schedule_once
from tests.factories import FigureFactory, IndicatorFactory

pytestmark = pytest.mark.django_db


def test_every_beat_entry_runs_in_process():
    indicator = IndicatorFactory()
    FigureFactory(indicator=indicator, period_end=dt.date(2024, 3, 31), value=Decimal("110"))
    assert run_schedule_once() == []
    assert IndicatorProgress.objects.filter(indicator=indicator).exists()
