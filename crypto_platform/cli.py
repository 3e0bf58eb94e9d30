"""`crypto-platform`: run the local stack and talk to the configured services.

Each command imports what it needs when it runs: the producer and the loader run for days, and
neither should carry the others' libraries (the producer took 178 MiB importing them all)."""

from __future__ import annotations

import asyncio
import csv
import logging
import sys
import warnings
from enum import StrEnum
from typing import TYPE_CHECKING

import typer
from tabulate import tabulate

from crypto_platform.clients.kafka import KafkaSignInError
from crypto_platform.prices.health import COUNTERS, FEED_COUNTERS, health_file, health_of, read_health
from crypto_platform.prices.trade import LiveTimeBound
from crypto_platform.settings import LOCAL_HOST, Settings, get_settings

if TYPE_CHECKING:
    from crypto_platform.local.stack import ServiceStatus

app = typer.Typer(help="Real-time crypto data platform on Dagster.", no_args_is_help=True)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(1)


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("snowflake.connector", "aiokafka"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


def _print_status(statuses: list[ServiceStatus]) -> None:
    rows = [(s.name, s.state, s.address, s.pid or "") for s in statuses]
    typer.echo(tabulate(rows, headers=["service", "state", "address", "pid"]))


@app.command()
def up() -> None:
    """Start the local stack (services not configured elsewhere), wait until each is healthy."""
    from crypto_platform.local import stack
    from crypto_platform.local.process import StackError

    settings = get_settings()
    try:
        statuses = stack.up(settings, report=lambda line: typer.echo(f"  {line}"))
    except StackError as exc:
        raise _fail(str(exc)) from None
    _print_status(statuses)
    typer.echo(
        f"\nDagster UI: {settings.dagster_ui}\n"
        f"Dashboard:  http://{LOCAL_HOST}:{settings.dashboard_port}\n"
        f"Logs: {settings.home / 'run'}/*.log (make logs)\n"
        "Stop with: make down"
    )


@app.command()
def down() -> None:
    """Stop every process `up` started, by PID. Data stays under .local/."""
    from crypto_platform.local import stack

    stopped = stack.down(get_settings())
    typer.echo(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@app.command()
def status() -> None:
    """Each service's health and address; exits 1 unless all are healthy."""
    from crypto_platform.local import stack

    settings = get_settings()
    statuses = stack.status(settings)
    _print_status(statuses)
    for s in statuses:
        if s.detail:
            typer.echo(f"{s.name}: {s.detail}")
    for worker, shown in COUNTERS.items():
        counters = read_health(health_file(settings.home, worker))
        if counters:
            typer.echo(f"{worker}: {_counters(counters, shown)}")
        for name, feed in (counters or {}).get("feeds", {}).items():
            typer.echo(f"  {name}: {health_of(feed).describe()} {_counters(feed, FEED_COUNTERS)}")
    if any(s.state not in ("healthy", "external") for s in statuses):
        raise typer.Exit(1)


def _counters(status: dict, shown: tuple[str, ...]) -> str:
    """`trades=12 gap_seconds=1.5`: the counters `shown` of a status file."""
    values = ((k, status.get(k)) for k in shown)
    return " ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in values)


@app.command()
def init() -> None:
    """Create what the platform needs in the configured services, starting nothing: the Kafka topics,
    the landing bucket and the warehouse objects of sql/ (idempotent; on Kubernetes, a Job)."""
    from crypto_platform.clients.kafka import ensure_topics
    from crypto_platform.clients.s3 import ensure_bucket
    from crypto_platform.warehouse import connect
    from crypto_platform.warehouse.connection import SnowflakeSignInError
    from crypto_platform.warehouse.sql import apply_file, sql_files

    settings = get_settings()
    try:
        created = ensure_topics(settings.kafka, settings.kafka_topics, settings.kafka_replication_factor)
        typer.echo(f"kafka: topics {', '.join(created) if created else 'already there'}")
        bucket = "created" if ensure_bucket(settings.s3, settings.s3_bucket) else "already there"
        typer.echo(f"s3: bucket {settings.s3_bucket} {bucket}")
        files = sql_files(settings.sql_dir)  # sql/snowflake/: see docs/production.md
        with connect(settings) as conn:
            for path in files:
                apply_file(conn, path)
        typer.echo(
            f"warehouse: applied {len(files)} files from {settings.sql_dir} to {settings.snowflake_database}"
        )
    except (KafkaSignInError, SnowflakeSignInError) as exc:
        raise _fail(str(exc)) from None


@app.command()
def produce() -> None:
    """Run the producer in the foreground: live trades from the configured feed into Kafka."""
    from crypto_platform.prices.producer.service import ProducerService, TopicMissing
    from crypto_platform.prices.symbols import SymbolError

    settings = get_settings()
    _configure_logging()
    try:
        asyncio.run(ProducerService(settings).run())
    except (SymbolError, TopicMissing, KafkaSignInError) as exc:  # wrong settings: say so once and stop
        raise _fail(str(exc)) from None


@app.command()
def load(
    follow: bool = typer.Option(False, "--follow", help="Keep loading new trades until stopped."),
) -> None:
    """Load trades from Kafka into RAW.TRADES, exactly once: up to now, or continuously."""
    settings = get_settings()
    _configure_logging()
    try:
        _load(settings, follow)
    except KafkaSignInError as exc:
        raise _fail(str(exc)) from None


def _load(settings: Settings, follow: bool) -> None:
    from crypto_platform.prices.loader import follower
    from crypto_platform.prices.loader.trades_loader import TradesLoader
    from crypto_platform.warehouse import connect

    loader = TradesLoader(
        settings.kafka,
        settings.kafka_topic_trades,
        lambda: connect(settings),
        settings.loader_follow_batch_size if follow else settings.loader_batch_size,
        LiveTimeBound.from_seconds(settings.trade_max_age_seconds, settings.trade_max_ahead_seconds),
    )
    if not follow:
        report = asyncio.run(loader.load_until_caught_up())
        typer.echo(
            f"loaded {report.rows} rows ({report.rejected} rejected) in {report.seconds:.2f}s; "
            f"lag {sum(report.lag.values())}"
        )
        return
    asyncio.run(
        follower.follow(
            loader,
            health_file(settings.home, "loader"),
            settings.loader_follow_interval,
            settings.loader_report_interval,
            settings.loader_stall_seconds,
            settings.dagster_api if settings.report_to_dagster else None,
        )
    )


@app.command()
def sql(
    query: str = typer.Argument(..., help="One SQL statement for the configured warehouse."),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table or csv"),
) -> None:
    """Run a statement on the warehouse and print the result."""
    from crypto_platform.warehouse import connect, run_query

    try:
        with connect(get_settings()) as conn:
            result = run_query(conn, query)
    except Exception as exc:  # the connector's errors already say what went wrong
        raise _fail(f"{type(exc).__name__}: {exc}") from None
    if output is OutputFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    else:
        typer.echo(tabulate(result.rows, headers=result.columns))


alerts_app = typer.Typer(help="Alerts on asset checks (the alerts file: ALERTS_FILE).", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")


@alerts_app.command("test")
def alerts_test() -> None:
    """Validate the alerts file and send a test message to each of its channels."""
    import dagster as dg

    from crypto_platform.alerts.alert import Alert
    from crypto_platform.alerts.channels import send_all
    from crypto_platform.alerts.config import AlertsConfigError
    from crypto_platform.warehouse import connect

    warnings.filterwarnings("ignore", category=dg.BetaWarning)  # Dagster's notes, not the user's concern
    settings = get_settings()
    try:
        from crypto_platform.definitions import alerts_config  # validates rules against the checks
    except AlertsConfigError as exc:
        raise _fail(str(exc)) from None
    if not alerts_config.channels:
        raise _fail(f"no channels in {settings.alerts_file}")
    alert = Alert(
        rule="test", kind="test", message="Test alert from crypto-platform", dagster_url=settings.dagster_ui
    )
    results = send_all(alerts_config.channels, list(alerts_config.channels), alert, lambda: connect(settings))
    typer.echo(tabulate(sorted(results.items()), headers=["channel", "result"]))
    if any(r.startswith("failed") for r in results.values()):
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
