"""NUMBER(38,12), the warehouse's type for every price, size, quantity and fee, and the one rule for
a value it cannot hold exactly (docs/prices.md, "Symbols and numbers").

NUMBER(38,12) holds 26 digits before the point and 12 after it (Snowflake, "Numeric data types").

- **Feed values** (prices and sizes from an exchange; `feed_value`): a value with more than 12
  decimals is rounded half-to-even to 12 when that moves it by at most one part in 10^9, that is
  when the digits dropped are the noise of a float-based feed (`0.30000000000000004` -> `0.3`; a
  double carries 15 to 17 significant digits, and no exchange quotes beyond the 9th). When rounding
  would move it more (real digits would be lost, or a tiny value would become 0) the value is
  refused, as is any value of 10^26 or more: the trade goes to the dead-letter topic or
  RAW.TRADES_REJECTED with the reason, never into the tables changed.
- **User values** (the portfolio form, the alerts file's thresholds; `typed_number`, then
  `exact_value`): written with ASCII digits, a point for decimals and optionally an exponent
  (`1e-8`); a comma only groups thousands,
  and only in a well-formed grouping (`63,000.50`, `1,234`). Anything else (`0,5`, `1.234,56`,
  `1,23`, `1_000`, other scripts' digits) is refused with a message that says how to write
  it, never guessed. Then refused unless NUMBER(38,12) holds the value exactly. People type what
  they mean; a stored value never differs from what was typed.

They raise `NotStorable`, whose message names the limit or the way to write the number.
"""

from __future__ import annotations

import re
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
    """A value NUMBER(38,12) cannot hold (exactly, or within the feed rounding rule), or a typed
    text that is not a number as written."""


_TYPED = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")


def typed_number(text: str | int | float | Decimal, what: str) -> Decimal:
    """The number a person typed: `text` with surrounding blanks removed, in ASCII digits with a
    point for decimals and commas only as thousands separators in a well-formed grouping (the rule
    above). A YAML or JSON number (int, float) is taken as its shortest decimal text. Raises
    NotStorable naming `what` and how to write the number; its size is `exact_value`'s to check."""
    if isinstance(text, bool):
        raise NotStorable(f"The {what} must be a number, not {text!r}.")
    if isinstance(text, int | float | Decimal):
        value = Decimal(str(text))
        if not value.is_finite():
            raise NotStorable(f"The {what} must be a finite number, not {text}.")
        return value
    written = text.strip()
    if not _TYPED.fullmatch(written) or not any(c.isdigit() for c in written):
        raise NotStorable(
            f"The {what} must be a number, not {text!r}: write digits with a point for decimals "
            "(0.5, 1234.56); a comma may only group thousands (63,000.50)."
        )
    return Decimal(written.replace(",", ""))


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
