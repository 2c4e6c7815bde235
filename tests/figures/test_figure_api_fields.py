"""The API reads a figure's fields as the grid and the Excel import do (figures.numbers): the same
spellings accepted, the same refusals and limits with the same messages, nothing saved on a refusal."""

import pytest
from rest_framework.test import APIClient

from figures import numbers
from indicators.models import QuarterlyFigure
from tests.figures.conftest import Q3

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(quarter_world):
    client = APIClient()
    client.force_authenticate(quarter_world.staff)
    return client


def create(client, indicator, **body):
    return client.post(
        "/api/v1/figures/", {"indicator": indicator.pk, "quarter": str(Q3), "source": "省局", **body}, format="json"
    )


@pytest.mark.parametrize("value, stored", [("1,234", "1234.0000"), ("１２３４.５", "1234.5000"), (1234.5, "1234.5000")])
def test_the_grids_spellings_are_accepted(staff, quarter_world, value, stored):
    response = create(staff, quarter_world.stock, value=value)
    assert response.status_code == 201, response.json()
    assert response.json()["value"] == stored


def grid_message(field, value, percent=False):
    return numbers.figure_fields_clean({field: value}, percent=percent)[1][field]


@pytest.mark.parametrize(
    "field, value",
    [
        ("value", "1,2"),
        ("value", "1e3"),
        ("value", "12万"),
        ("value", "1.23456"),
        ("comment", "铃声\x07"),
        ("comment", "制表\x0b"),
        ("comment", "长" * (numbers.COMMENT_MAX + 1)),
        ("comment", "长" * 100_000),
        ("source", "来源\x00"),
        ("source", "长" * (numbers.SOURCE_MAX + 1)),
    ],
)
def test_the_grids_refusals_with_the_grids_messages(staff, quarter_world, field, value):
    response = create(staff, quarter_world.stock, **{"value": "1", field: value})
    assert response.status_code == 400
    assert response.json() == {field: grid_message(field, value)}
    assert not QuarterlyFigure.objects.exists()


def test_a_trailing_percent_only_on_a_percentage(staff, quarter_world):
    assert create(staff, quarter_world.share, value="12.5%").json()["value"] == "12.5000"
    assert create(staff, quarter_world.stock, value="12.5%").json() == {"value": grid_message("value", "12.5%")}


@pytest.mark.parametrize("body", [{"comment": 5}, {"source": ["x"]}, {"value": True}, {"value": {"n": 1}}])
def test_wrong_json_types_are_refused_by_field(staff, quarter_world, body):
    response = create(staff, quarter_world.stock, **{"value": "1", **body})
    assert response.status_code == 400
    assert list(response.json()) == list(body)
