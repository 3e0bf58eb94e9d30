"""The only code that talks to the warehouse: connecting, applying `sql/`, querying, bulk loading."""

from crypto_platform.warehouse.connection import connect, connection_args, transaction
from crypto_platform.warehouse.migrations import apply_sql
from crypto_platform.warehouse.queries import QueryResult, run_query

__all__ = ["QueryResult", "apply_sql", "connect", "connection_args", "run_query", "transaction"]
