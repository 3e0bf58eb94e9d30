"""The only code that talks to the warehouse: connecting, applying `sql/`, querying, bulk loading."""

from crypto_platform.warehouse.connection import connect, connection_args, transaction
from crypto_platform.warehouse.sql import QueryResult, apply_sql, query, run_query

__all__ = ["QueryResult", "apply_sql", "connect", "connection_args", "query", "run_query", "transaction"]
