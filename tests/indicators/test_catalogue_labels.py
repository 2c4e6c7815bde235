"""One label per catalogue key, the same on the comparison page and in the comparison workbook."""

import pytest

from indicators.models import Indicator
from indicators.selectors import catalogue_labels
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db


def test_the_name_most_plans_use_wins_then_the_shortest():
    IndicatorFactory(catalogue_key="valid_invention_patents", name="有效发明专利拥有量")
    IndicatorFactory(catalogue_key="valid_invention_patents", name="有效发明专利拥有量")
    IndicatorFactory(catalogue_key="valid_invention_patents", name="全市有效发明专利拥有量（件）")
    IndicatorFactory(catalogue_key="pledge", name="知识产权质押融资额（亿元）")
    IndicatorFactory(catalogue_key="pledge", name="质押融资额")
    IndicatorFactory(catalogue_key="", name="无目录键")
    assert catalogue_labels(Indicator.objects.all()) == {
        "pledge": "质押融资额",
        "valid_invention_patents": "有效发明专利拥有量",
    }
