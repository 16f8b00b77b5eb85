"""Benchmark: the lists of reviews at 100 and at 10,000 reviews.

For the dashboard, `GET /api/v1/reviews` and `prr review list`: the median time of several
runs and the number of queries, at both sizes, with the ratio against the goal (10,000 reviews
cost at most 1.5x what 100 do, with the same number of queries). Then the peak memory of the
real `prr review list` and `prr review list --all` processes, which must stay flat. Reviews use
the default playbook, a quarter of their items done, a tenth of them closed.

The two sizes are two databases (the large one starts as a copy of the small one), and the
runs take turns between them, so that a machine busy with other work slows both alike. Runs on
SQLite and, when PRR_TEST_DATABASE_URL is set, on PostgreSQL (in scratch databases
`prr_bench_scale` and `prr_bench_scale_large` that it creates and drops). Exits 1 when a goal
is missed. Usage: `make bench` or `python bench/scale.py`.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SIZES = (100, 10_000)
RUNS = 11
GOAL = 1.5
SCRATCH_DATABASE = "prr_bench_scale"


def seed(total: int) -> None:
    """Bring the number of reviews up to `total`, each a copy of PRR-1's items."""
    from django.db import connection, transaction

    from prr.reviews.models import Review, ReviewItem

    template = Review.objects.get(number=1)
    items = list(template.items.order_by("position"))
    have = Review.objects.count()
    with transaction.atomic():
        reviews = Review.objects.bulk_create(
            (
                Review(
                    number=number,
                    title=f"Service number {number} goes to production in eu-west",
                    kind=template.kind,
                    playbook_version_id=template.playbook_version_id,
                    dri_id=template.dri_id,
                    created_by_id=template.created_by_id,
                    status="closed" if number % 10 == 0 else "open",
                )
                for number in range(have + 1, total + 1)
            ),
            batch_size=1_000,
        )
        if reviews[0].pk is None:  # SQLite before 3.35 gives no ids back
            reviews = list(Review.objects.filter(number__gt=have).order_by("number"))
        ReviewItem.objects.bulk_create(
            (
                ReviewItem(
                    review_id=review.pk,
                    position=item.position,
                    checklist=item.checklist,
                    key=item.key,
                    title=item.title,
                    owner_team_id=item.owner_team_id,
                    required=item.required,
                    allow_na=item.allow_na,
                    state="done" if (review.number + item.position) % 4 == 0 else "open",
                )
                for review in reviews
                for item in items
            ),
            batch_size=2_000,
        )
    if connection.vendor == "postgresql":
        # Planner statistics, as autovacuum keeps them on a database in use: without them a
        # table just filled by bulk inserts is planned as if it were empty.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def queries_of(read: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured)


def copy_database(url: str, small: str, large: str) -> None:
    """The small database, copied whole (session, token and all) to start the large one."""
    from django.db import connection

    connection.close()
    if url.startswith("sqlite:"):
        with closing(sqlite3.connect(small)) as source, closing(sqlite3.connect(large)) as target:
            source.backup(target)
    else:
        admin_execute(url, f"CREATE DATABASE {large} TEMPLATE {small}")


def use_database(name: str) -> None:
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


# Runs `prr` in a fresh interpreter and writes its peak resident set (Linux's VmHWM, which
# exec resets; ru_maxrss would still hold this big benchmark process the child forked from).
PEAK_OF_PRR = """
import atexit, sys
def peak():
    with open("/proc/self/status") as status:
        kb = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    sys.stderr.write(f"VmHWM {kb}\\n")
atexit.register(peak)
sys.argv[0] = "prr"
from prr.cli import main
main()
"""


def peak_memory_mb(database_url: str, *args: str) -> float:
    """The peak resident set of a real `prr` process on that database, in MB."""
    run = subprocess.run(
        [sys.executable, "-c", PEAK_OF_PRR, *args],
        env={**os.environ, "PRR_DATABASE_URL": database_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = (run.stderr.splitlines() or [""])[-1]
    if run.returncode != 0 or not peak.startswith("VmHWM "):
        raise SystemExit(f"prr {' '.join(args)} failed: {run.stderr}")
    return int(peak.split()[1]) / 1024


def run_one() -> None:
    """Runs in a child process whose PRR_DATABASE_URL points at an empty database; it is the
    small one, and PRR_BENCH_LARGE names the large one to make (a file, or a database name)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prr.settings")
    import django

    django.setup()
    from click.testing import CliRunner
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from prr.accounts.services import create_user
    from prr.accounts.tokens import create_token
    from prr.cli import prr
    from prr.playbooks.services import load_default_playbook
    from prr.reviews.starting import start_review
    from prr.teams.services import ensure_default_teams

    setup_test_environment()
    call_command("migrate", interactive=False, verbosity=0)
    ensure_default_teams()
    dana = create_user("dana")
    start_review(
        version=load_default_playbook().version,
        title="Payments API launch in the eu-west region",
        dri=dana,
        kind="service",
    )
    web = Client()
    web.force_login(dana)
    api = Client(headers={"Authorization": f"Bearer {create_token(dana, 'bench').secret}"})
    runner = CliRunner()

    url, small_name, large_name = (
        os.environ["PRR_DATABASE_URL"],
        str(connection.settings_dict["NAME"]),
        os.environ["PRR_BENCH_LARGE"],
    )
    small, large = SIZES
    seed(small)
    copy_database(url, small_name, large_name)
    use_database(large_name)
    seed(large)
    databases = {small: small_name, large: large_name}

    def get(client: Client, path: str) -> Callable[[], Any]:
        def read() -> None:
            response = client.get(path)
            assert response.status_code == 200, response.content[:500]

        return read

    def cli(*args: str) -> Callable[[], Any]:
        def read() -> None:
            result = runner.invoke(prr, list(args), catch_exceptions=False)
            assert result.exit_code == 0, result.output

        return read

    faces = {
        "dashboard": get(web, "/"),
        "GET /api/v1/reviews": get(api, "/api/v1/reviews"),
        "prr review list": cli("review", "list"),
    }
    # Rounds that take turns between the sizes, each after a warm-up read: a machine busy
    # with something else slows both sizes alike, and the ratio stays true.
    times: dict[str, dict[int, list[float]]] = {f: {small: [], large: []} for f in faces}
    queries: dict[str, dict[int, int]] = {f: {} for f in faces}
    for _ in range(RUNS):
        for size, name in databases.items():
            use_database(name)
            for face, read in faces.items():
                read()
                started = time.perf_counter()
                read()
                times[face][size].append(time.perf_counter() - started)
    for size, name in databases.items():
        use_database(name)
        for face, read in faces.items():
            queries[face][size] = queries_of(read)
    memory: dict[str, dict[int, float]] = {"review list": {}, "review list --all": {}}
    for size, name in databases.items():
        at = f"sqlite:///{name}" if url.startswith("sqlite:") else with_database(url, name)
        memory["review list"][size] = peak_memory_mb(at, "review", "list")
        memory["review list --all"][size] = peak_memory_mb(at, "review", "list", "--all")

    print(f"{connection.vendor}: median of {RUNS} runs, {small:,} vs {large:,} reviews")
    verdicts = []
    for face in faces:
        t_small, t_large = (statistics.median(times[face][n]) for n in SIZES)
        q_small, q_large = (queries[face][n] for n in SIZES)
        ratio = t_large / t_small
        ok = ratio <= GOAL and q_small == q_large
        verdicts.append(ok)
        print(
            f"  {face:<21} {t_small * 1000:7.1f} ms {t_large * 1000:7.1f} ms  "
            f"x{ratio:4.2f}   queries {q_small:3d} {q_large:3d}   {'PASS' if ok else 'FAIL'}"
        )
    for command, peak in memory.items():
        ratio = peak[large] / peak[small]
        ok = ratio <= GOAL
        verdicts.append(ok)
        print(
            f"  prr {command:<17} {peak[small]:7.1f} MB {peak[large]:7.1f} MB  "
            f"x{ratio:4.2f}   peak memory         {'PASS' if ok else 'FAIL'}"
        )
    if not all(verdicts):
        sys.exit(1)


def child(database_url: str, large: str, data_dir: str) -> bool:
    env = {**os.environ, "PRR_DATABASE_URL": database_url, "PRR_DATA_DIR": data_dir}
    env.update(PRR_BENCH_CHILD="1", PRR_BENCH_LARGE=large)
    return subprocess.run([sys.executable, __file__], env=env).returncode == 0


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin_execute(url: str, sql: str) -> None:
    """Run `sql` on the server of `url`, from its maintenance database."""
    import psycopg

    maintenance = with_database(url, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    passed = True
    with tempfile.TemporaryDirectory() as data_dir:
        passed &= child(
            f"sqlite:///{data_dir}/small.sqlite3", f"{data_dir}/large.sqlite3", data_dir
        )
        pg_url = os.environ.get("PRR_TEST_DATABASE_URL")
        if not pg_url:
            print("PRR_TEST_DATABASE_URL is not set: PostgreSQL skipped.")
        else:
            scratch = (SCRATCH_DATABASE, f"{SCRATCH_DATABASE}_large")
            for name in scratch:
                admin_execute(pg_url, f"DROP DATABASE IF EXISTS {name}")
            admin_execute(pg_url, f"CREATE DATABASE {scratch[0]}")
            try:
                passed &= child(with_database(pg_url, scratch[0]), scratch[1], data_dir)
            finally:
                for name in scratch:
                    admin_execute(pg_url, f"DROP DATABASE IF EXISTS {name}")
    if not passed:
        sys.exit(1)


if __name__ == "__main__":
    if os.environ.get("PRR_BENCH_CHILD"):
        run_one()
    else:
        main()
