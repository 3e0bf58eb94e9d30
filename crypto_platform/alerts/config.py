"""The alerts file (YAML, `ALERTS_FILE`): channels, rules on asset checks, and price alerts.

It is validated when it is loaded, against the checks the code location defines: a rule that names
an unknown check, group, outcome or channel is refused with a message that says which and where.
Secrets (webhook URLs, Slack tokens) are never in the file, only the names of the environment
variables that hold them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from crypto_platform.common.numbers import typed_number
from crypto_platform.prices.symbols import SYMBOL

Outcome = Literal["failed_warn", "failed_error", "errored"]
NAME = r"^[a-z0-9][a-z0-9_-]*$"


class AlertsConfigError(ValueError):
    """The alerts file cannot be used; the message says what to fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TableChannel(_Strict):
    """OPS.ALERTS in the warehouse, shown on the dashboard's Pipeline page."""

    type: Literal["table"]


class WebhookChannel(_Strict):
    """A JSON POST to a URL held in the environment variable `url_env`."""

    type: Literal["webhook"]
    url_env: str
    timeout_seconds: float = 10.0


class SlackChannel(_Strict):
    """A Slack message through dagster-slack, with the bot token in `token_env`."""

    type: Literal["slack"]
    token_env: str
    channel: str


Channel = Annotated[TableChannel | WebhookChannel | SlackChannel, Field(discriminator="type")]


class Rule(_Strict):
    name: str = Field(pattern=NAME)
    checks: list[str] = []  # "asset:check", "asset:*" or "group:<group>"
    outcomes: list[Outcome] = ["failed_error", "errored"]
    run_failures: bool = False  # also alert on every failed run (a blocking check stops a run)
    channels: list[str] = Field(min_length=1)
    quiet_minutes: float = Field(30, ge=0)  # a new failure this soon after the last alert waits
    repeat_minutes: float | None = Field(None, gt=0)  # an open failure is announced again this often

    @property
    def quiet_seconds(self) -> float:
        return self.quiet_minutes * 60

    @property
    def repeat_seconds(self) -> float | None:
        return None if self.repeat_minutes is None else self.repeat_minutes * 60

    @model_validator(mode="after")
    def _watches_something(self) -> Rule:
        if not self.checks and not self.run_failures:
            raise ValueError("a rule needs `checks`, `run_failures: true`, or both")
        return self

    def matches(self, check: str, group: str | None) -> bool:
        asset = check.split(":", 1)[0]
        return any(p in (check, f"{asset}:*") or p == f"group:{group}" for p in self.checks)


class PriceAlert(_Strict):
    """'Tell me when BTC-USD crosses 100,000': an asset check on CORE.LATEST_PRICES that fails while
    the price is beyond the threshold; it alerts once per crossing and announces the way back."""

    name: str = Field(pattern=NAME)
    symbol: str
    above: Decimal | None = None
    below: Decimal | None = None
    channels: list[str] = Field(min_length=1)
    quiet_minutes: float = Field(30, ge=0)
    repeat_minutes: float | None = Field(None, gt=0)
    no_price_minutes: float = Field(15, gt=0)
    """How long the symbol may have no price at all before the check fails saying so."""

    @field_validator("symbol")
    @classmethod
    def _standard_symbol(cls, value: str) -> str:
        if not SYMBOL.match(value):
            raise ValueError(
                f"{value!r} is not a symbol as the platform names them: BASE-QUOTE in capitals, e.g. BTC-USD"
            )
        return value

    @field_validator("above", "below", mode="before")
    @classmethod
    def _typed_threshold(cls, value: object, info: ValidationInfo) -> Decimal | None:
        """The one rule for typed numbers (`typed_number`): `63,000.50` is 63000.50; `0,5` is refused."""
        return None if value is None else typed_number(value, f"`{info.field_name}` threshold")  # type: ignore[arg-type]

    @model_validator(mode="after")
    def _one_threshold(self) -> PriceAlert:
        if (self.above is None) == (self.below is None):
            raise ValueError("a price alert needs exactly one of `above` or `below`")
        return self

    @property
    def check_name(self) -> str:
        return "price_alert_" + re.sub(r"\W", "_", self.name)

    def crossed(self, price: Decimal) -> bool:
        return price > self.above if self.above is not None else price < self.below  # type: ignore[operator]

    @property
    def threshold(self) -> str:
        side, level = ("above", self.above) if self.above is not None else ("below", self.below)
        return f"{side} {level:,}"

    def describe(self) -> str:
        return f"{self.symbol} {self.threshold}"

    def rule(self) -> Rule:
        """The rule that sends this alert's check outcomes to its channels."""
        return Rule(
            name=f"price-{self.name}",
            checks=[f"latest_prices:{self.check_name}"],
            outcomes=["failed_warn", "errored"],
            channels=self.channels,
            quiet_minutes=self.quiet_minutes,
            repeat_minutes=self.repeat_minutes,
        )


class AlertsConfig(_Strict):
    channels: dict[str, Channel] = {}
    rules: list[Rule] = []
    price_alerts: list[PriceAlert] = []

    @property
    def all_rules(self) -> list[Rule]:
        return [*self.rules, *(p.rule() for p in self.price_alerts)]

    def validate_against(self, checks: Mapping[str, str | None]) -> AlertsConfig:
        """Refuse names that do not exist; `checks` maps every "asset:check" key to its group."""
        assets = {key.split(":", 1)[0] for key in checks}
        groups = {g for g in checks.values() if g}
        problems = []
        rules = self.all_rules
        for rule in rules:
            for channel in rule.channels:
                if channel not in self.channels:
                    problems.append(
                        f"rule {rule.name!r}: unknown channel {channel!r} (defined: {_list(self.channels)})"
                    )
            for pattern in rule.checks:
                if pattern.startswith("group:"):
                    if pattern[6:] not in groups:
                        problems.append(
                            f"rule {rule.name!r}: unknown group {pattern[6:]!r} (known: {_list(groups)})"
                        )
                elif pattern.endswith(":*"):
                    if pattern[:-2] not in assets:
                        problems.append(f"rule {rule.name!r}: no checks on asset {pattern[:-2]!r}")
                elif pattern not in checks:
                    problems.append(f"rule {rule.name!r}: unknown check {pattern!r} (known: {_list(checks)})")
        problems += _collisions(
            "rule name",
            [(r.name, f"rule {r.name!r}") for r in self.rules]
            + [(p.rule().name, f"price alert {p.name!r}") for p in self.price_alerts],
        )
        problems += _collisions(
            "Dagster check name", [(p.check_name, f"price alert {p.name!r}") for p in self.price_alerts]
        )
        if problems:
            raise AlertsConfigError("alerts file refused:\n  " + "\n  ".join(problems))
        return self


def _collisions(what: str, named: list[tuple[str, str]]) -> list[str]:
    """One problem per name that more than one entry ends up with, naming every such entry."""
    entries: dict[str, list[str]] = {}
    for name, entry in named:
        entries.setdefault(name, []).append(entry)
    return [
        f"{' and '.join(found)} both become {what} {name!r}: rename one"
        for name, found in sorted(entries.items())
        if len(found) > 1
    ]


def _list(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "none"


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (PyYAML keeps the last one
    silently, so a second channel or price alert of the same name would replace the first)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[object, yaml.Mark] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None,
                    f"key {key!r} is given twice (first on line {seen[key].line + 1})",
                    key_node.start_mark,
                )  # fmt: skip
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in _NUMBER_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
"""Numbers stay the text the person wrote, so that the one rule for typed numbers (`typed_number`)
reads them: YAML 1.1 would read an unquoted `1_000` as 1000, `0x10` as 16 and `1:30` as 90."""


def parse(text: str, source: str = "alerts file") -> AlertsConfig:
    """The file's structure, validated (names of checks are validated by `validate_against`)."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader) or {}
        return AlertsConfig.model_validate(data)
    except yaml.YAMLError as exc:
        raise AlertsConfigError(f"{source} is not valid YAML: {exc}") from None
    except ValidationError as exc:
        lines = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise AlertsConfigError(f"{source} refused:\n  " + "\n  ".join(lines)) from None


def load(path: Path) -> AlertsConfig:
    """The alerts file at `path`; no file means no alerts."""
    if not path.exists():
        return AlertsConfig()
    return parse(path.read_text(), str(path))
