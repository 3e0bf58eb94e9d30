"""NUMBER(38,12), the warehouse's type for every price, size, quantity and fee, and the one rule for
a value it cannot hold exactly (DESIGN.md, trust rules: "Numbers at the edges").

NUMBER(38,12) holds 26 digits before the point and 12 after it (Snowflake, "Numeric data types").

- **Feed values** (prices and sizes from an exchange; `feed_value`): a value with more than 12
  decimals is rounded half-to-even to 12 when that moves it by at most one part in 10^9, that is
  when the digits dropped are the noise of a float-based feed (`0.30000000000000004` -> `0.3`; a
  double carries 15 to 17 significant digits, and no exchange quotes beyond the 9th). When rounding
  would move it more (real digits would be lost, or a tiny value would become 0) the value is
  refused, as is any value of 10^26 or more: the trade goes to the dead-letter topic or
  RAW.TRADES_REJECTED with the reason, never into the tables changed.
- **User values** (the portfolio form; `exact_value`): refused unless NUMBER(38,12) holds them
  exactly. People type what they mean; a stored value never differs from what was typed.

Both raise `NotStorable`, whose message names the limit.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal

SCALE = 12
"""Decimal places NUMBER(38,12) keeps."""
INTEGER_DIGITS = 26
"""Digits before the point: 38 - 12."""
MAX_ROUNDING = Decimal("1e-9")
"""The largest relative change rounding a feed value may make."""

_QUANTUM = Decimal(1).scaleb(-SCALE)
_CONTEXT = Context(prec=2 * (SCALE + INTEGER_DIGITS))  # quantize needs all 38 digits (default: 28)
LIMIT_TEXT = f"at most {SCALE} decimal places and less than 10^{INTEGER_DIGITS}"


class NotStorable(ValueError):
    """A value NUMBER(38,12) cannot hold (exactly, or within the feed rounding rule)."""


def fits(value: Decimal) -> bool:
    """Whether NUMBER(38,12) holds the finite `value` exactly (no more than 12 decimals, under 10^26).
    Cheap: it runs for every trade on the producer's hot path."""
    if value.adjusted() >= INTEGER_DIGITS:
        return not value  # 0E+30 is zero
    text = str(value)
    if "E" in text:
        return value.as_tuple().exponent >= -SCALE  # type: ignore[operator]
    point = text.find(".")
    return point < 0 or len(text) - point - 1 <= SCALE


def feed_value(value: Decimal, name: str) -> Decimal:
    """A finite feed value as stored: itself, or rounded to 12 decimals under the rule above.
    Raises NotStorable naming `name` and the limit."""
    if fits(value):
        return value
    rounded = _rounded(value, f"{name} {value}")
    if rounded != value and (not rounded or abs(rounded - value) > MAX_ROUNDING * abs(value)):
        raise NotStorable(
            f"{name} {value} has digits beyond the 12th decimal that NUMBER(38,12) cannot hold "
            f"(rounding to {rounded.normalize():f} would change it by more than 1 part in 10^9)"
        )
    return rounded.normalize(_CONTEXT)  # 0.3, not 0.300000000000


def exact_value(value: Decimal, what: str) -> Decimal:
    """`value` when NUMBER(38,12) holds it exactly (trailing zeros aside); NotStorable naming the
    limit otherwise."""
    if fits(value):
        return value
    refusal = f"The {what} must have {LIMIT_TEXT}."
    if _rounded(value, refusal) != value:
        raise NotStorable(refusal)
    return value


def _rounded(value: Decimal, refusal: str) -> Decimal:
    """`value` rounded half-to-even to 12 decimals; NotStorable(refusal) when it is 10^26 or more."""
    if value.adjusted() >= INTEGER_DIGITS:
        raise NotStorable(
            refusal
            if refusal.startswith("The ")
            else f"{refusal} is too large for NUMBER(38,12): it must be less than 10^{INTEGER_DIGITS}"
        )
    return value.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN, context=_CONTEXT)
