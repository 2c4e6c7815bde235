"""The load mix of a working day: leaders reading dashboards, bureau clerks at the quarter grid, API clients.

Run by `.ci/loadtest` against gunicorn on loopback. The accounts are the demo's (password `ipcity-demo`);
the API tokens and the pages' ids come from `LOADTEST_TARGETS`, a JSON file the script writes from the
database, so the mix never guesses an id. Any answer other than the expected one counts as a failure:
a redirect to the login page is a failure, not a success.
"""

import itertools
import json
import os
import random

from locust import HttpUser, between, task

TARGETS = json.loads(open(os.environ["LOADTEST_TARGETS"], encoding="utf-8").read())
PASSWORD = "ipcity-demo"
_leaders = itertools.cycle(TARGETS["leaders"])
_clerks = itertools.cycle(TARGETS["clerks"])
_tokens = itertools.cycle(TARGETS["tokens"])


def _expect(response, *, json_body=False):
    """A 200 that is the page asked for (not the login form it would redirect to)."""
    if response.status_code != 200:
        response.failure(f"HTTP {response.status_code}")
    elif "/accounts/login/" in response.url:
        response.failure("answered with the login page")
    elif json_body and not response.headers.get("Content-Type", "").startswith("application/json"):
        response.failure("not JSON")
    else:
        response.success()


class _SignedIn(HttpUser):
    abstract = True
    wait_time = between(0, 0)  # no think time: the measure is the server's limit

    def sign_in(self, account):
        self.account = account
        self.client.get("/accounts/login/", name="/accounts/login/")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/login/",
            {"username": account["username"], "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/accounts/login/"},
            name="/accounts/login/ (POST)",
            catch_response=True,
        ) as response:
            if "/accounts/login/" in response.url:
                response.failure(f"could not sign in as {account['username']}")

    def page(self, path, name):
        with self.client.get(path, name=name, catch_response=True) as response:
            _expect(response)


class Leader(_SignedIn):
    """A leading-group member: the city dashboard, an indicator, the leading-group page."""

    weight = 3

    def on_start(self):
        self.sign_in(next(_leaders))

    @task(4)
    def city_dashboard(self):
        self.page(f"/cities/{self.account['city']}/", "/cities/[city]/")

    @task(3)
    def indicator(self):
        self.page(f"/indicators/{random.choice(self.account['indicators'])}/", "/indicators/[id]/")

    @task(1)
    def leading_group(self):
        self.page(f"/leading-group/{self.account['city']}/", "/leading-group/[city]/")


class Clerk(_SignedIn):
    """Bureau staff: the quarter grid, the figures index, the task matrix, the inbox."""

    weight = 2

    def on_start(self):
        self.sign_in(next(_clerks))

    @task(3)
    def quarter_grid(self):
        self.page(
            f"/plans/{self.account['plan']}/figures/{self.account['quarter']}/", "/plans/[plan]/figures/[quarter]/"
        )

    @task(2)
    def figure_index(self):
        self.page("/figures/", "/figures/")

    @task(1)
    def task_matrix(self):
        self.page("/task-matrix/", "/task-matrix/")

    @task(1)
    def inbox(self):
        self.page("/notifications/", "/notifications/")


class ApiClient(HttpUser):
    """A system reading the API with a token: indicators, a plan's progress, figures, unread count."""

    weight = 1
    wait_time = between(0, 0)

    def on_start(self):
        self.token = next(_tokens)
        self.client.headers["Authorization"] = f"Token {self.token['token']}"

    def get(self, path, name):
        with self.client.get(path, name=name, catch_response=True) as response:
            _expect(response, json_body=True)

    @task(2)
    def indicators(self):
        self.get("/api/v1/indicators/", "/api/v1/indicators/")

    @task(2)
    def plan_progress(self):
        self.get(f"/api/v1/plans/{self.token['plan_id']}/progress/", "/api/v1/plans/[id]/progress/")

    @task(1)
    def figures(self):
        self.get(f"/api/v1/figures/?quarter={TARGETS['quarter']}", "/api/v1/figures/?quarter=")

    @task(1)
    def unread(self):
        self.get("/api/v1/notifications/unread-count/", "/api/v1/notifications/unread-count/")
