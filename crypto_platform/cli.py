"""`crypto-platform`: run the local stack and talk to the configured services."""

from __future__ import annotations

import asyncio
import csv
import logging
import sys
from enum import StrEnum

import typer
from tabulate import tabulate

from crypto_platform.local import stack
from crypto_platform.local.process import StackError
from crypto_platform.producer.service import ProducerService
from crypto_platform.producer.stats import read_status
from crypto_platform.settings import get_settings
from crypto_platform.warehouse import connect, run_query

app = typer.Typer(help="Real-time crypto data platform on Dagster.", no_args_is_help=True)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(1)


def _print_status(statuses: list[stack.ServiceStatus]) -> None:
    rows = [(s.name, s.state, s.address, s.pid or "") for s in statuses]
    typer.echo(tabulate(rows, headers=["service", "state", "address", "pid"]))


@app.command()
def up() -> None:
    """Start the local stack (services not configured elsewhere), wait until each is healthy."""
    settings = get_settings()
    try:
        statuses = stack.up(settings, report=lambda line: typer.echo(f"  {line}"))
    except StackError as exc:
        raise _fail(str(exc)) from None
    _print_status(statuses)
    typer.echo(
        f"\nDagster UI: http://127.0.0.1:{settings.dagster_port}\n"
        f"Logs: {settings.home / 'run'}/*.log (make logs)\n"
        "Stop with: make down"
    )


@app.command()
def down() -> None:
    """Stop every process `up` started, by PID. Data stays under .local/."""
    stopped = stack.down(get_settings())
    typer.echo(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@app.command()
def status() -> None:
    """Each service's health and address; exits 1 unless all are healthy."""
    settings = get_settings()
    statuses = stack.status(settings)
    _print_status(statuses)
    counters = read_status(settings.home / "run" / "producer.status.json")
    if counters:
        shown = ("frames", "trades", "produced", "dead_lettered", "reconnects", "dropped_frames")
        typer.echo("\nproducer: " + " ".join(f"{k}={counters[k]}" for k in shown))
    if any(s.state not in ("healthy", "external") for s in statuses):
        raise typer.Exit(1)


@app.command()
def produce() -> None:
    """Run the producer in the foreground: live trades from the configured feed into Kafka."""
    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(ProducerService(settings).run())


@app.command()
def sql(
    query: str = typer.Argument(..., help="One SQL statement for the configured warehouse."),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table or csv"),
) -> None:
    """Run a statement on the warehouse and print the result."""
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


if __name__ == "__main__":
    app()
