"""The admin keeps the figure rules: definitions change with a reason, figures are read-only there."""

from decimal import Decimal as D

import pytest
from django.forms.models import model_to_dict

from tests.factories import FigureFactory
from tests.figures.conftest import Q2

pytestmark = pytest.mark.django_db


def indicator_form_data(indicator, **changes):
    data = {k: v for k, v in model_to_dict(indicator).items() if v is not None}
    data.update({"interim_targets-TOTAL_FORMS": "0", "interim_targets-INITIAL_FORMS": "0", **changes})
    return data


def test_admin_changing_a_target_after_approval_needs_a_reason(client, quarter_world):
    FigureFactory(indicator=quarter_world.stock, period_end=Q2.end)
    client.force_login(quarter_world.admin)
    url = f"/admin/indicators/indicator/{quarter_world.stock.pk}/change/"
    response = client.post(url, indicator_form_data(quarter_world.stock, target_value="300"))
    assert response.status_code == 200 and "必须填写原因" in response.content.decode()
    quarter_world.stock.refresh_from_db()
    assert quarter_world.stock.target_value == 200
    response = client.post(
        url, indicator_form_data(quarter_world.stock, target_value="300", change_reason="市政府调整目标")
    )
    assert response.status_code == 302
    quarter_world.stock.refresh_from_db()
    assert quarter_world.stock.target_value == D(300)
    assert quarter_world.stock.history.first().history_change_reason == "市政府调整目标"


def test_figures_are_read_only_in_the_admin(client, quarter_world):
    figure = FigureFactory(indicator=quarter_world.stock, period_end=Q2.end)
    client.force_login(quarter_world.admin)
    assert client.get("/admin/indicators/quarterlyfigure/add/").status_code == 403
    page = client.get(f"/admin/indicators/quarterlyfigure/{figure.pk}/change/")
    assert page.status_code == 200 and 'name="value"' not in page.content.decode()
    assert client.post(f"/admin/indicators/quarterlyfigure/{figure.pk}/delete/", {"post": "yes"}).status_code == 403
