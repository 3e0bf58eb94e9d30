"""The Dagster webserver as other parts of the platform see it: links into its UI, and the state
of every asset and check through its GraphQL API (the dashboard's Pipeline page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

HEALTH_QUERY = """
query PipelineHealth {
  assetNodes {
    assetKey { path }
    groupName
    assetMaterializations(limit: 1) { timestamp }
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
  }
}
"""
EXECUTION_FIELDS = (
    "status timestamp evaluation { severity description "
    "metadataEntries { label ... on TextMetadataEntry { text } } }"
)


class DagsterUnavailable(RuntimeError):
    """The Dagster webserver did not answer or answered with errors."""


@dataclass(frozen=True)
class CheckState:
    name: str
    blocking: bool
    status: str | None  # SUCCEEDED, FAILED, EXECUTION_FAILED, IN_PROGRESS, SKIPPED; None if never run
    severity: str | None
    timestamp: float | None
    description: str | None


@dataclass(frozen=True)
class AssetState:
    key: str  # "a/b" for the key ["a", "b"]
    group: str
    materialized_at: float | None  # epoch seconds
    checks: list[CheckState]


def asset_url(base: str, key: str) -> str:
    return f"{base}/assets/{quote(key)}"


def graphql(base: str, query: str, variables: dict, timeout: float) -> dict:
    """The `data` of a GraphQL answer from the webserver at `base`; DagsterUnavailable otherwise."""
    try:
        response = httpx.post(
            f"{base}/graphql", json={"query": query, "variables": variables}, timeout=timeout
        )
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise DagsterUnavailable(f"{type(exc).__name__}: {exc}") from exc
    if body.get("errors"):
        raise DagsterUnavailable(body["errors"][0].get("message", "GraphQL error"))
    return body["data"]


def asset_health(base: str, timeout: float = 10.0) -> list[AssetState]:
    """Every asset with its last materialization and each check's latest execution (whichever
    materialization it followed: the follower materializes `raw_trades` without running checks)."""
    nodes = graphql(base, HEALTH_QUERY, {}, timeout)["assetNodes"]
    checks = [
        (node["assetKey"]["path"], check) for node in nodes
        for check in (node["assetChecksOrError"] or {}).get("checks", [])
    ]  # fmt: skip
    params = ", ".join(f"$k{i}: AssetKeyInput!, $n{i}: String!" for i in range(len(checks)))
    fields = " ".join(
        f"c{i}: assetCheckExecutions(assetKey: $k{i}, checkName: $n{i}, limit: 1) {{ {EXECUTION_FIELDS} }}"
        for i in range(len(checks))
    )
    variables = {f"k{i}": {"path": path} for i, (path, _) in enumerate(checks)}
    variables |= {f"n{i}": check["name"] for i, (_, check) in enumerate(checks)}
    latest = graphql(base, f"query Checks({params}) {{ {fields} }}", variables, timeout) if checks else {}
    states: dict[str, list[CheckState]] = {}
    for i, (path, check) in enumerate(checks):
        states.setdefault("/".join(path), []).append(_check(check, (latest[f"c{i}"] or [None])[0]))
    return [_asset(node, states.get("/".join(node["assetKey"]["path"]), [])) for node in nodes]


def _asset(node: dict, checks: list[CheckState]) -> AssetState:
    materializations = node["assetMaterializations"]
    return AssetState(
        key="/".join(node["assetKey"]["path"]),
        group=node["groupName"],
        materialized_at=float(materializations[0]["timestamp"]) / 1000 if materializations else None,
        checks=checks,
    )


def _check(check: dict, execution: dict | None) -> CheckState:
    execution = execution or {}
    evaluation = execution.get("evaluation") or {}
    # Evaluations reported through the REST API (the producer's, the loader's) carry it as metadata.
    texts = {e["label"]: e.get("text") for e in evaluation.get("metadataEntries") or []}
    return CheckState(
        name=check["name"],
        blocking=check["blocking"],
        status=execution.get("status"),
        severity=evaluation.get("severity"),
        timestamp=execution.get("timestamp"),
        description=evaluation.get("description") or texts.get("description"),
    )


def report_materialization(base: str, asset: str, metadata: dict[str, Any], timeout: float = 5.0) -> None:
    """Record a materialization made outside Dagster runs, through the webserver's external assets
    REST API (`POST /report_asset_materialization/<asset>`). Raises DagsterUnavailable when the
    webserver does not take it."""
    _post(f"{base}/report_asset_materialization/{quote(asset)}", {"metadata": metadata}, timeout)


def report_check(
    base: str, asset: str, check: str, passed: bool, metadata: dict[str, Any], timeout: float = 5.0
) -> None:
    """Record a check evaluation (severity ERROR) made outside Dagster runs, through the webserver's
    external assets REST API (`POST /report_asset_check/<asset>`; Dagster docs, "External assets
    REST API"). Raises DagsterUnavailable when the webserver does not take it."""
    body = {"check_name": check, "passed": passed, "severity": "ERROR", "metadata": metadata}
    _post(f"{base}/report_asset_check/{quote(asset)}", body, timeout)


def _post(url: str, body: dict[str, Any], timeout: float) -> None:
    try:
        response = httpx.post(url, json=body, timeout=timeout)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise DagsterUnavailable(f"{type(exc).__name__}: {exc}") from exc
