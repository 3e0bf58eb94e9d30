"""infra/k8s/ against the code it deploys. No cluster or Helm chart is reachable here, so every
manifest is parsed and checked: the image is this project's at its version everywhere; the
commands are the platform's own (parsed by its CLI); the ConfigMap and Secret hold only settings
(`crypto_platform/settings.py`, secrets only in the Secret) or variables the Dagster instance file
and the alerts file read, and they load as a production configuration; the Helm values match the
pinned Dagster and the ConfigMap, Secret and Postgres the other manifests use."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import dagster
import dagster_snowflake
import pytest
import typer
import yaml
from pydantic import SecretStr

from crypto_platform.alerts.config import SlackChannel, WebhookChannel, parse
from crypto_platform.cli import app
from crypto_platform.settings import PROJECT_ROOT, Settings
from crypto_platform.warehouse.connection import sign_in_method

K8S = PROJECT_ROOT / "infra" / "k8s"
PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
IMAGE_REPOSITORY = "registry.example.com/crypto-platform"
IMAGE = f"{IMAGE_REPOSITORY}:{PYPROJECT['project']['version']}"
CONFIG, SECRETS = "crypto-platform-config", "crypto-platform-secrets"
EXPECTED_COMMANDS = {
    "producer": ["crypto-platform", "produce"],
    "loader": ["crypto-platform", "load", "--follow"],
    "init": ["crypto-platform", "init"],
}
APPLIED_BY_HAND = {"kustomization.yaml", "secret.example.yaml", "dagster-values.yaml", "init-job.yaml"}


def manifests() -> dict[str, list[dict[str, Any]]]:
    return {
        path.name: [d for d in yaml.safe_load_all(path.read_text()) if d]
        for path in sorted(K8S.glob("*.yaml"))
    }


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for docs in manifests().values() for d in docs if d.get("kind") == kind}


def helm_values() -> dict[str, Any]:
    return yaml.safe_load((K8S / "dagster-values.yaml").read_text())


def setting_names() -> dict[str, bool]:
    """Every setting's environment variable -> whether it is a secret."""
    return {
        str(field.validation_alias or name).upper(): SecretStr in getattr(field.annotation, "__args__", ())
        or field.annotation is SecretStr
        for name, field in Settings.model_fields.items()
    }


def instance_env_names() -> set[str]:
    """Variables the image's Dagster instance file (infra/dagster/dagster.yaml) reads."""
    return set(
        re.findall(r"\{\s*env:\s*(\w+)\s*\}", (PROJECT_ROOT / "infra/dagster/dagster.yaml").read_text())
    )


def alerts_env_names() -> set[str]:
    """Variables the alerts file's channels read their URL or token from."""
    config = parse((PROJECT_ROOT / "config" / "alerts.yaml").read_text())
    names = set()
    for channel in config.channels.values():
        if isinstance(channel, WebhookChannel):
            names.add(channel.url_env)
        elif isinstance(channel, SlackChannel):
            names.add(channel.token_env)
    return names


def workloads() -> dict[str, dict[str, Any]]:
    return of_kind("Deployment") | of_kind("Job")


def containers() -> dict[str, dict[str, Any]]:
    return {
        name: workload["spec"]["template"]["spec"]["containers"][0] for name, workload in workloads().items()
    }


def test_kustomization_applies_every_manifest_but_the_secret_example_and_helm_values() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    applied = set(kustomization["resources"])
    assert applied == set(manifests()) - APPLIED_BY_HAND
    namespace = kustomization["namespace"]
    for name, docs in manifests().items():
        for doc in docs:
            if name not in ("kustomization.yaml", "dagster-values.yaml") and doc["kind"] != "Namespace":
                assert doc["metadata"]["namespace"] == namespace, name


def test_every_workload_runs_this_projects_image_with_the_settings_configmap_and_secret() -> None:
    assert set(containers()) == {"producer", "loader", "dashboard", "init"}
    for name, container in containers().items():
        assert container["image"] == IMAGE, name
        sources = {next(iter(s)): next(iter(s.values()))["name"] for s in container["envFrom"]}
        assert sources == {"configMapRef": CONFIG, "secretRef": SECRETS}, name
    for name, workload in workloads().items():
        assert workload["spec"]["template"]["spec"]["serviceAccountName"] == "crypto-platform", name
    for name, deployment in of_kind("Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
    (user_code,) = helm_values()["dagster-user-deployments"]["deployments"]
    assert f"{user_code['image']['repository']}:{user_code['image']['tag']}" == IMAGE
    assert user_code["envConfigMaps"] == [{"name": CONFIG}] and user_code["envSecrets"] == [{"name": SECRETS}]
    assert user_code["includeConfigInLaunchedRuns"]["enabled"], "runs need the same settings"


@pytest.mark.parametrize("name", sorted(EXPECTED_COMMANDS))
def test_worker_commands_are_the_platforms_cli(name: str) -> None:
    command = containers()[name]["command"]
    assert command == EXPECTED_COMMANDS[name]
    assert PYPROJECT["project"]["scripts"][command[0]] == "crypto_platform.cli:app"
    subcommand = typer.main.get_command(app).commands[command[1]]  # type: ignore[attr-defined]
    subcommand.make_context(command[1], command[2:])  # raises on an unknown command or option


def test_the_dashboard_serves_the_app_on_its_port() -> None:
    container = containers()["dashboard"]
    command = container["command"]
    assert command[:2] == ["streamlit", "run"] and (PROJECT_ROOT / command[2]).is_file()
    port = int(command[command.index("--server.port") + 1])
    assert port == Settings(_env_file=None).dashboard_port
    assert container["ports"] == [{"name": "http", "containerPort": port}]
    (service,) = of_kind("Service").values()
    assert (
        service["spec"]["selector"] == of_kind("Deployment")["dashboard"]["spec"]["selector"]["matchLabels"]
    )


def test_the_code_location_is_the_projects() -> None:
    (user_code,) = helm_values()["dagster-user-deployments"]["deployments"]
    assert user_code["dagsterApiGrpcArgs"] == ["-m", PYPROJECT["tool"]["dagster"]["module_name"]]


def test_configmap_and_secret_hold_only_settings_and_secrets_only_in_the_secret() -> None:
    settings = setting_names()
    config = of_kind("ConfigMap")[CONFIG]["data"]
    secret = of_kind("Secret")[SECRETS]["stringData"]
    assert set(config) <= set(settings) | instance_env_names(), set(config) - set(settings)
    assert not [name for name in config if settings.get(name)], "a secret setting in the ConfigMap"
    secret_names = {name for name, is_secret in settings.items() if is_secret}
    assert set(secret) <= secret_names | alerts_env_names(), set(secret) - secret_names
    for name, container in containers().items():
        for variable in container.get("env", []):
            assert variable["name"] in instance_env_names(), f"{name}: {variable['name']}"
            assert "value" not in variable, f"{name}: {variable['name']} set in plain text"


def test_the_manifests_settings_load_as_production(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    environment = of_kind("ConfigMap")[CONFIG]["data"] | of_kind("Secret")[SECRETS]["stringData"]
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    assert not (settings.kafka_is_local or settings.s3_is_local or settings.warehouse_is_local)
    assert (settings.s3.access_key_id, settings.s3.secret_access_key) == (None, None), (
        "S3 through the pod's role, not keys"
    )
    assert sign_in_method(settings) == "SNOWFLAKE_PRIVATE_KEY"
    config = settings.kafka.client_config()
    assert (
        config["sasl_mechanism"] == "OAUTHBEARER"
        and config["sasl_oauth_token_provider"].region == "eu-west-1"
    )


def test_helm_values_match_the_pinned_dagster_and_the_shared_postgres() -> None:
    header = (K8S / "dagster-values.yaml").read_text()
    assert f"dagster/dagster --version {dagster.__version__}" in header
    deploy = PYPROJECT["project"]["optional-dependencies"]["deploy"]
    integrations = dagster_snowflake.__version__
    assert sorted(deploy) == [f"dagster-k8s=={integrations}", f"dagster-postgres=={integrations}"]
    assert 'pip install --no-cache-dir -e ".[deploy]"' in (PROJECT_ROOT / "Dockerfile").read_text()

    values = helm_values()
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    postgres = values["postgresql"]
    assert not postgres["enabled"] and not values["generatePostgresqlPasswordSecret"]
    # the workers report to the chart's webserver (REST), never to its Postgres
    config = of_kind("ConfigMap")[CONFIG]["data"]
    assert config["DAGSTER_API_URL"].startswith("http://dagster-dagster-webserver.")
    assert all("env" not in container for container in containers().values())
    assert values["global"]["serviceAccountName"] == "crypto-platform"
    assert "crypto-platform" in of_kind("ServiceAccount")


def test_no_secret_value_is_committed() -> None:
    for value in of_kind("Secret")[SECRETS]["stringData"].values():
        assert "REPLACE" in value, "the example Secret holds placeholders only"
    assert (
        Path(K8S / "secret.example.yaml").name
        not in yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    )
