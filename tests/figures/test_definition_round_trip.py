"""Saving an indicator's definition form unchanged changes nothing (it used to erase every target date:
the date input was given "2023/12/31", which a browser's date input cannot show, so it posted it empty)."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from indicators.models import Indicator
from ops.fixtures import PLAN_FIXTURE_DIR, plan_fixture_load

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DEFINITION_FIELDS = ["measure_type", "target_form", "target_value", "target_date", "base_value", "base_year"]


class FormValues(HTMLParser):
    """What a browser would post for the page's definition form, read from its HTML."""

    def __init__(self):
        super().__init__()
        self.values, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.values[name] = "on"
            elif attrs.get("type") == "date":
                # A browser's date input shows and posts only YYYY-MM-DD; anything else it posts empty.
                value = attrs.get("value", "")
                self.values[name] = value if ISO_DATE.fullmatch(value) else ""
            else:
                self.values[name] = attrs.get("value", "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


@pytest.mark.parametrize(("language", "plans"), [("zh-hans", "*.yaml"), ("en", "chaoyang.yaml")])
def test_every_definition_form_saved_unchanged_keeps_every_field(client, standing, language, plans):
    for path in sorted(PLAN_FIXTURE_DIR.glob(plans)):
        plan_fixture_load(path=path)
    client.force_login(standing.admin)
    client.cookies["django_language"] = language
    indicators = list(Indicator.objects.order_by("pk"))
    before = {i.pk: [getattr(i, f) for f in DEFINITION_FIELDS] for i in indicators}
    for indicator in indicators:
        url = reverse("indicator_definition", args=[indicator.pk])
        parser = FormValues()
        parser.feed(client.get(url).content.decode())
        response = client.post(url, {**parser.values, "reason": "核对"})
        assert response.status_code == 302, (indicator.code, response.content.decode()[:2000])
    after = {i.pk: [getattr(i, f) for f in DEFINITION_FIELDS] for i in Indicator.objects.order_by("pk")}
    assert after == before
