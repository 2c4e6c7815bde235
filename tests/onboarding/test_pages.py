import pytest
from django.urls import reverse

from ops.fixtures import PLAN_FIXTURE_DIR

pytestmark = pytest.mark.django_db
SHENYANG = (PLAN_FIXTURE_DIR / "sources" / "003_842afa8849cffd08.txt").read_text(encoding="utf-8")


def _review(client):
    response = client.post(reverse("onboarding-new"), {"text": SHENYANG})
    assert response.status_code == 200
    return response


def _confirm_data(response, **changes):
    """Every field of the review page as the browser would send it."""
    from html.parser import HTMLParser

    data = {}

    class Fields(HTMLParser):
        textarea = None
        select = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input" and a.get("name") and a.get("type") not in ("submit", "checkbox"):
                data[a["name"]] = a.get("value") or ""
            if tag == "input" and a.get("type") == "checkbox" and "checked" in a:
                data[a["name"]] = "on"
            if tag == "textarea":
                self.textarea = a["name"]
                data[self.textarea] = ""
            if tag == "select":
                self.select = a["name"]
                data[self.select] = None
            if tag == "option" and self.select:
                if data[self.select] is None or "selected" in a:
                    data[self.select] = a.get("value") or ""

        def handle_data(self, text):
            if self.textarea:
                data[self.textarea] += text

        def handle_endtag(self, tag):
            if tag == "textarea":
                self.textarea = None
            if tag == "select":
                self.select = None

    Fields().feed(response.content.decode())
    data.pop("csrfmiddlewaretoken", None)
    data.update(changes)
    return data


@pytest.mark.parametrize("who, status", [("admin", 200), ("staff", 200), ("reviewer", 403), ("department_user", 403)])
def test_who_may_open_new_plan(client, standing, who, status):
    client.force_login(getattr(standing, who))
    assert client.get(reverse("onboarding-new")).status_code == status


def test_review_shows_proposals_with_their_sentences_highlighted(client, standing):
    client.force_login(standing.admin)
    response = _review(client)
    html = response.content.decode()
    assert 'id="src-ind-0"' in html and '<mark class="ind"' in html
    assert "待确认" in html and "知识产权质押融资金额" in html


def test_bad_input_is_refused_on_the_page(client, standing):
    client.force_login(standing.admin)
    response = client.post(reverse("onboarding-new"), {"text": "hello world"})
    assert response.status_code == 200 and "不是中文" in response.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("x.pdf", b"%PDF-1.4 garbage")
    response = client.post(reverse("onboarding-new"), {"upload": upload})
    assert "pdf" in response.content.decode().lower()


def test_confirm_saves_edits_and_drops_in_one_transaction(client, standing):
    from indicators.models import Indicator

    client.force_login(standing.admin)
    data = _confirm_data(_review(client), **{"plan_form-city_code": "shenyang2"})
    data["city_code"] = "shenyang2"
    data["ind-0-DELETE"] = "on"
    data["ind-1-name"] = "专利技术合同成交额（已核对）"
    response = client.post(reverse("onboarding-confirm"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("plan", args=["shenyang2-2020-2023"])
    names = list(Indicator.objects.filter(plan__city__code="shenyang2").values_list("name", flat=True))
    assert "专利技术合同成交额（已核对）" in names and "知识产权转让、许可数量" not in names


def test_a_refused_confirm_saves_nothing(client, standing):
    from plans.models import City

    client.force_login(standing.admin)
    data = _confirm_data(_review(client))
    data["city_code"] = "shenyang3"
    for key in [k for k in data if k.startswith("dept-") and k.endswith("is_programme_owner")]:
        del data[key]
    response = client.post(reverse("onboarding-confirm"), data)
    assert response.status_code == 400 and "牵头主管部门" in response.content.decode()
    assert not City.objects.filter(code="shenyang3").exists()


def test_staff_may_onboard_only_their_own_city(client, standing):
    client.force_login(standing.staff)
    data = _confirm_data(_review(client))
    data["city_code"] = "elsewhere"
    assert client.post(reverse("onboarding-confirm"), data).status_code == 403


def test_departments_are_matched_to_the_citys_existing_ones(client, standing):
    from plans.models import City, Department, DepartmentAlias

    city = City.objects.create(code="shenyang", name="沈阳市")
    bureau = Department.objects.create(city=city, name="市市场监管局(知识产权局)", is_programme_owner=True)
    DepartmentAlias.objects.create(department=bureau, alias="市场监管局")
    client.force_login(standing.admin)
    html = _review(client).content.decode()
    assert 'value="shenyang"' in html
    assert "市市场监管局 → 已有：市市场监管局(知识产权局)" in html
    assert "市统计局 → 新部门" in html


def test_a_20_mb_upload_is_refused_before_it_is_read(client, standing):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(standing.admin)
    upload = SimpleUploadedFile("plan.txt", b"x" * (20 * 1024 * 1024))
    response = client.post(reverse("onboarding-new"), {"upload": upload})
    assert response.status_code == 200 and "文件过大" in response.content.decode()


def test_review_queries_do_not_grow_with_the_document(client, standing):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(standing.admin)
    counts = []
    for source in ("004_274b4b31dd4bf67b.txt", "001_bd8fbcfcfad85180.txt"):  # 20 indicators, then 24 + 43 tasks
        text = (PLAN_FIXTURE_DIR / "sources" / source).read_text(encoding="utf-8")
        with CaptureQueriesContext(connection) as queries:
            assert client.post(reverse("onboarding-new"), {"text": text}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_leading_group_is_reviewed_and_saved(client, standing):
    from plans.models import LeadingGroupMember

    text = (PLAN_FIXTURE_DIR / "sources" / "000_6d9d402cb80ceabd.txt").read_text(encoding="utf-8")
    client.force_login(standing.admin)
    review = client.post(reverse("onboarding-new"), {"text": text})
    assert 'id="src-member-0"' in review.content.decode()
    data = _confirm_data(review)
    data["city_code"] = "chaoyang2"
    data["member-1-DELETE"] = "on"  # 副组长 dropped by the reviewer
    assert client.post(reverse("onboarding-confirm"), data).status_code == 302
    members = LeadingGroupMember.objects.filter(plan__city__code="chaoyang2")
    assert members.count() == 30
    assert members.get(order=1).name == "老颜武" and not members.filter(name="高宇恒").exists()
    assert members.get(name="刘利民").department.name == "市市场监管局(知识产权局)"
