"""`prr init`, `prr serve`, `prr demo`."""

from __future__ import annotations

from typing import Any

import click

from prr.cli.base import PrrCommand, fail


def prepare_database() -> list[str]:
    """Migrate, create the default teams and load the default playbook; what was done."""
    from django.core.management import call_command

    from prr.playbooks.services import load_default_playbook
    from prr.teams.services import ensure_default_teams

    call_command("migrate", interactive=False, verbosity=0)
    done = ["database schema up to date"]
    created = ensure_default_teams()
    if created:
        done.append("created teams " + ", ".join(t.slug for t in created))
    result = load_default_playbook()
    if result.created:
        done.append(f"loaded playbook prr v{result.version.number}")
    return done


@click.command(cls=PrrCommand)
def init() -> None:
    """Create or upgrade the database; add the default teams and playbook; safe to run again.

    It only adds what is missing.
    """
    from django.conf import settings

    for line in prepare_database():
        click.echo(line[0].upper() + line[1:] + ".")
    click.echo(f"Database: {settings.DATABASES['default']['NAME']}")


@click.command(cls=PrrCommand)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker processes."
)
def serve(host: str, port: int, workers: int) -> None:
    """Serve prr with gunicorn (put a TLS-terminating proxy in front in production)."""
    check_migrated()
    run_gunicorn(host, port, workers)


def check_migrated() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        fail("The database needs migrating; run `prr init` first.")


def close_connections_before_fork(server: Any, worker: Any) -> None:
    """Gunicorn's pre_fork hook: the master holds no database connection when it forks.

    A connection the master opened (the migration check, the demo data) would otherwise be
    inherited by every worker: one socket shared by several processes, whose replies then go
    to whichever worker reads first (wrong answers, 401s on good tokens, hangs). Each worker
    opens its own connection on its first request and keeps it (PRR_DB_CONN_MAX_AGE).
    """
    from django.db import connections

    connections.close_all()


def forget_exited_worker(server: Any, worker: Any) -> None:
    """Gunicorn's child_exit hook: the metrics of a worker that exited stop being live."""
    from prr.operations.metrics import mark_process_dead

    mark_process_dead(worker.pid)


def run_gunicorn(host: str, port: int, workers: int) -> None:
    from django.conf import settings
    from gunicorn.app.base import BaseApplication

    from prr.operations.logs import gunicorn_logging
    from prr.operations.metrics import clear_dead_files
    from prr.wsgi import application

    # The counters of a previous run start again from zero (Prometheus' rate() expects it).
    clear_dead_files(settings.METRICS_DIR)
    json_logs = settings.LOG_FORMAT == "json"

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            if json_logs:  # one JSON line per request comes from prr's middleware instead
                self.cfg.set("logconfig_dict", gunicorn_logging())
            else:
                self.cfg.set("accesslog", "-")
            self.cfg.set("pre_fork", close_connections_before_fork)
            self.cfg.set("child_exit", forget_exited_worker)
            if "control_socket_disable" in self.cfg.settings:
                # Gunicorn 27's control socket is one fixed path per user: a second `prr serve`
                # on the host would take it over. prr does not use it.
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            return application

    click.echo(f"Serving prr on http://{host}:{port}/ (Ctrl-C to stop)")
    Server().run()


@click.command(cls=PrrCommand)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Create the demo data and stop.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Fill an empty data directory with demo teams, people and reviews, then serve it."""
    from django.conf import settings

    from prr.accounts.models import User
    from prr.demo import create_demo_data

    prepare_database()
    if User.objects.exists():
        fail(
            f"The database in {settings.DATA_DIR} already has users; `prr demo` only fills an "
            "empty one. Point PRR_DATA_DIR at a new directory (`make demo` does)."
        )
    demo_data = create_demo_data()
    click.echo(f"Demo data created in {settings.DATA_DIR}\n")
    click.echo("People (username / password / role):")
    for person in demo_data.people:
        click.echo(f"  {person.username:<8} {person.password:<16} {person.role}")
    click.echo("")
    for line in demo_data.reviews:
        click.echo(line)
    click.echo(
        f"\nTry, with PRR_DATA_DIR={settings.DATA_DIR}:\n"
        "  prr review show PRR-2\n"
        "  prr review post PRR-2 --as paula 'Platform review is completed'\n"
        "  prr review export PRR-1"
    )
    if not no_serve:
        base = f"http://{host}:{port}"
        click.echo(
            f"\nSign in at {base}/ as dana (the DRI) and open PRR-2; sign in as paula in another "
            "browser\nand write 'Platform review is completed' in its channel. API docs: "
            f"{base}/api/v1/docs,\nDjango's admin: {base}/admin/ (as admin)."
        )
        run_gunicorn(host, port, 2)
