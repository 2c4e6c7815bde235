"""The in-process limit of the load mix: the same requests through Django's test client, one process, no network.

Usage: python loadtest/inprocess.py TARGETS.json [SECONDS]. Prints requests per second of one process; times the
machine's cores it is the most the served setup could reach, the ceiling `.ci/loadtest` compares against.
"""

import json
import os
import random
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipcity.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402


def signed_in(username):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=username))
    return client


def weighted_requests(targets):
    """(client, path, weight) in the proportions of loadtest/locustfile.py (Leader 3 : Clerk 2 : API 1)."""
    quarter = targets["quarter"]
    leader, clerk, api = targets["leaders"][0], targets["clerks"][0], targets["tokens"][0]
    leader_client, clerk_client = signed_in(leader["username"]), signed_in(clerk["username"])
    api_client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {api['token']}")
    indicator = leader["indicators"][0]
    return [
        (leader_client, f"/cities/{leader['city']}/", 3 * 4 / 8),
        (leader_client, f"/indicators/{indicator}/", 3 * 3 / 8),
        (leader_client, f"/leading-group/{leader['city']}/", 3 * 1 / 8),
        (clerk_client, f"/plans/{clerk['plan']}/figures/{clerk['quarter']}/", 2 * 3 / 7),
        (clerk_client, "/figures/", 2 * 2 / 7),
        (clerk_client, "/task-matrix/", 2 * 1 / 7),
        (clerk_client, "/notifications/", 2 * 1 / 7),
        (api_client, "/api/v1/indicators/", 1 * 2 / 6),
        (api_client, f"/api/v1/plans/{api['plan_id']}/progress/", 1 * 2 / 6),
        (api_client, f"/api/v1/figures/?quarter={quarter}", 1 * 1 / 6),
        (api_client, "/api/v1/notifications/unread-count/", 1 * 1 / 6),
    ]


def main(path, seconds):
    with open(path, encoding="utf-8") as f:
        mix = weighted_requests(json.load(f))
    rng = random.Random(0)
    choices = rng.choices(mix, weights=[w for _, _, w in mix], k=100_000)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        client, url, _ = choices[done % len(choices)]
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"loadtest/inprocess.py: {url} answered {response.status_code}")
        done += 1
    print(f"{done / (time.perf_counter() - start):.1f}")


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 20.0)
