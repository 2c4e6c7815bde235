"""The badge stylesheet is served from core.status, to anyone (the login page shows no status, but it is
cheap and public), so pages and charts colour a status alike."""

import pytest

from core.status import STATUS_COLOURS, Status


def test_status_css_is_served_from_the_status_vocabulary(client):
    response = client.get("/status.css")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    assert f"--status-lagging:{STATUS_COLOURS[Status.LAGGING].strong};" in response.content.decode()


@pytest.mark.django_db
def test_pages_link_the_status_stylesheet(client):
    assert 'href="/status.css"' in client.get("/accounts/login/").content.decode()
