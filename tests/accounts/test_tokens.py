"""API tokens on a page: a user creates, names and revokes their own; a token acts with its user's rights
only; a revoked token or a disabled user stops at once; the key is shown once and stored hashed."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken, AuditEvent, api_token_digest

pytestmark = pytest.mark.django_db
KEY = re.compile(r'id="new-token">(ipc_[^<]+)<')


def create(client, name="统计局对接"):
    response = client.post(reverse("api_tokens"), {"name": name})
    assert response.status_code == 200
    match = KEY.search(response.content.decode())
    return match.group(1) if match else None, response


def api(key, url="/api/v1/cities/"):
    return Client().get(url, HTTP_AUTHORIZATION=f"Token {key}")


def refused(response) -> bool:
    """401 or 403: DRF answers 403 when session authentication comes first in the settings."""
    return response.status_code in (401, 403) and "results" not in response.json()


@pytest.fixture
def staff_client(client, standing):
    client.force_login(standing.staff)
    return client


def test_a_token_is_shown_once_and_stored_hashed(staff_client, standing):
    key, _response = create(staff_client)
    assert key
    token = ApiToken.objects.get(user=standing.staff)
    assert token.name == "统计局对接" and token.digest == api_token_digest(key) and key not in token.digest
    page = staff_client.get(reverse("api_tokens")).content.decode()
    assert "统计局对接" in page and key not in page and token.hint in page
    assert AuditEvent.objects.filter(kind="token_created", actor=standing.staff).exists()


def test_a_token_acts_with_its_users_rights_only(staff_client, standing):
    key, _ = create(staff_client)
    response = api(key)
    assert response.status_code == 200
    codes = {c["code"] for c in response.json()["results"]}
    assert codes == {standing.city.code}
    assert api(key, f"/api/v1/plans/{standing.other_plan.pk}/").status_code == 404
    assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_token_stops_at_once(staff_client, standing):
    key, _ = create(staff_client)
    assert api(key).status_code == 200
    token = ApiToken.objects.get()
    response = staff_client.post(reverse("api_token_revoke", args=[token.pk]), follow=True)
    assert "已撤销令牌" in response.content.decode()
    response = api(key)
    assert refused(response) and "令牌无效或已撤销" in response.json()["detail"]
    assert AuditEvent.objects.filter(kind="token_revoked").exists()


def test_a_disabled_users_token_stops(staff_client, standing):
    key, _ = create(staff_client)
    standing.staff.is_active = False
    standing.staff.save()
    response = api(key)
    assert refused(response) and "用户已停用" in response.json()["detail"]


def test_an_unknown_key_is_refused():
    assert refused(api("ipc_not-a-real-key"))
    assert refused(api("0123456789abcdef"))  # left to DRF's own tokens, which do not know it either


def test_nobody_revokes_someone_elses_token(client, standing):
    client.force_login(standing.staff)
    key, _ = create(client)
    other = Client()
    other.force_login(standing.staff2)
    token = ApiToken.objects.get()
    assert other.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    assert "统计局对接" not in other.get(reverse("api_tokens")).content.decode()
    assert api(key).status_code == 200


@pytest.mark.parametrize(
    "name, message", [("", "该字段是必填项"), ("   ", "该字段是必填项"), ("dup", "已有同名的有效令牌")]
)
def test_bad_token_names_are_refused(staff_client, name, message):
    if name == "dup":
        create(staff_client, "dup")
    key, response = create(staff_client, name)
    assert key is None and message in response.content.decode()
    assert ApiToken.objects.count() == (1 if name == "dup" else 0)


def test_a_revoked_name_can_be_used_again(staff_client):
    create(staff_client, "同名")
    staff_client.post(reverse("api_token_revoke", args=[ApiToken.objects.get().pk]))
    key, _ = create(staff_client, "同名")
    assert key and ApiToken.objects.filter(name="同名").count() == 2


@pytest.mark.parametrize("role", ["leader", "department_user", "provincial", "admin"])
def test_every_role_has_the_token_page(client, standing, role):
    client.force_login(getattr(standing, role))
    key, _ = create(client)
    assert key and api(key).status_code == 200
