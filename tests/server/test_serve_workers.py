"""`prr serve --workers 4` under concurrent clients: each worker has its own connection.

A database connection opened by the gunicorn master before it forks would be shared by every
worker: replies read by the wrong process, 500s, 401s on good tokens, hangs. These tests run
the real server, as users run it, on the suite's database (SQLite or PostgreSQL).
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter

import pytest
from django.db import connection

from prr.accounts.services import create_user
from prr.accounts.tokens import create_token
from prr.teams.models import Team
from prr.teams.services import add_members, ensure_default_teams

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 32
REQUESTS_PER_CLIENT = 12
WORKERS = 4


def get_json(url: str, token: str) -> tuple[int, object]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def people_with_tokens() -> list[tuple[str, str, str, str]]:
    """Eight people, each in one team, each with a token named after them."""
    ensure_default_teams()
    teams = list(Team.objects.order_by("slug"))
    people = []
    for n in range(8):
        user = create_user(f"person{n}", display_name=f"Person {n}")
        team = teams[n % len(teams)]
        add_members(team, [user])
        token_name = f"laptop of person{n}"
        people.append((user.username, team.slug, token_name, create_token(user, token_name).secret))
    return people


def other_connections() -> int:
    """Connections to this database but the test's own (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        (count,) = cursor.fetchone()
    return int(count)


def test_32_clients_with_8_tokens_each_get_their_own_answers(serve):
    people = people_with_tokens()
    # Other tests' live servers may still hold a connection: count only the new ones.
    before = other_connections() if connection.vendor == "postgresql" else 0
    served = serve(workers=WORKERS)
    outcomes: Counter[str] = Counter()
    wrong: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        username, team, token_name, token = people[n % len(people)]
        for i in range(REQUESTS_PER_CLIENT):
            if i % 2:
                status, body = get_json(served.url + "/api/v1/tokens", token)
                mine = isinstance(body, list) and [t["name"] for t in body] == [token_name]
            else:
                status, body = get_json(served.url + "/api/v1/me", token)
                mine = isinstance(body, dict) and (body["username"], body["teams"]) == (
                    username,
                    [team],
                )
            with lock:
                outcomes[str(status)] += 1
                if status == 200 and not mine:
                    wrong.append(f"{username} got {body!r}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client hung"

    assert outcomes == Counter({"200": CLIENTS * REQUESTS_PER_CLIENT}), served.output()[-3000:]
    assert wrong == []
    if connection.vendor == "postgresql":
        # One persistent connection per worker, none left over from the master.
        assert other_connections() - before <= WORKERS
