"""DynamoDB's attribute values (the wire format: ``{"S": "x"}``, ``{"N": "3"}``, ...), both ways.

Written here rather than taken from ``boto3.dynamodb.types``: importing that module imports boto3 itself
(its session, resource factory and s3transfer, which loads multiprocessing), about 21 ms of the first API
request's cold start (README, "Cold start"), for what fits in this module. The rules are boto3's, and
``duelarena/tests/test_attributes.py`` checks them against boto3 value by value:

- numbers are ``int`` or ``Decimal`` in DynamoDB's decimal context (38 significant digits); a float,
  NaN, an infinity, or a number that would need rounding is refused (TypeError or
  ``decimal.Inexact``/``Rounded``/...), never stored approximately (boto3 lets ``-Infinity`` and
  signalling NaNs through for DynamoDB to refuse; here they are a TypeError before any call);
- ``bool`` is BOOL (before numbers: a bool is an int), ``None`` is NULL, ``str`` is S, ``bytes`` and
  ``bytearray`` are B;
- a set holds one kind: numbers (NS, also when empty, as boto3 does), strings (SS) or bytes (BS);
- lists and tuples are L, mappings are M; anything else is a TypeError.

Values come back plain, as the adapter hands them to services: a number as ``int`` when it is integral
and ``float`` otherwise (boto3 hands a ``Decimal``), binary as ``bytes`` (boto3 hands a ``Binary``).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

# boto3.dynamodb.types.DYNAMODB_CONTEXT: DynamoDB's number limits, every loss of precision an error.
CONTEXT = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])


def _number(value: int | Decimal) -> str:
    text = str(CONTEXT.create_decimal(value))
    if not CONTEXT.create_decimal(text).is_finite():  # boto3 lets "-Infinity" through to DynamoDB's refusal
        raise TypeError("Infinity and NaN not supported")
    return text


def _is_number(value: Any) -> bool:
    """boto3's test, also for a set's members (where a bool counts as the number it is)."""
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    return isinstance(value, (int, Decimal))


def _is_binary(value: Any) -> bool:
    return isinstance(value, (bytes, bytearray))


def to_attribute(value: Any) -> dict[str, Any]:
    """``value`` as a DynamoDB attribute value (boto3's ``TypeSerializer().serialize``)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if _is_number(value):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if _is_binary(value):
        return {"B": value}
    if isinstance(value, Set):
        if all(_is_number(v) for v in value):
            return {"NS": [_number(v) for v in value]}
        if all(isinstance(v, str) for v in value):
            return {"SS": list(value)}
        if all(_is_binary(v) for v in value):
            return {"BS": list(value)}
        raise TypeError(f"A set's members must all be numbers, strings or binary: {value!r}")
    if isinstance(value, Mapping):
        return {"M": {key: to_attribute(member) for key, member in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [to_attribute(member) for member in value]}
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def _plain_number(text: str) -> int | float:
    number = CONTEXT.create_decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)


def from_attribute(attribute: Mapping[str, Any]) -> Any:
    """The plain value of a DynamoDB attribute value (boto3's ``TypeDeserializer``, then plain numbers)."""
    if not attribute:
        raise TypeError("Value must be a nonempty dictionary whose key is a valid dynamodb type.")
    kind, value = next(iter(attribute.items()))
    if kind == "S":
        return value
    if kind == "N":
        return _plain_number(value)
    if kind == "M":
        return {key: from_attribute(member) for key, member in value.items()}
    if kind == "L":
        return [from_attribute(member) for member in value]
    if kind == "BOOL":
        return value
    if kind == "NULL":
        return None
    if kind == "B":
        return bytes(value)
    if kind == "SS":
        return set(value)
    if kind == "NS":
        return {_plain_number(member) for member in value}
    if kind == "BS":
        return {bytes(member) for member in value}
    raise TypeError(f"Dynamodb type {kind} is not supported")
