"""``duelarena.dynamo.attributes`` against boto3's own serializer, value by value: the adapter writes and
reads exactly what boto3 would, and refuses what boto3 refuses (nothing is ever stored approximately)."""

from __future__ import annotations

import decimal
import random
from decimal import Decimal

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from duelarena.dynamo.attributes import from_attribute, to_attribute

SAMPLES = [
    None,
    True,
    False,
    0,
    -1,
    7,
    2**63,
    -(10**37),
    10**38 - 1,
    Decimal("1.5"),
    Decimal("-0.001"),
    Decimal("1E+125"),
    Decimal("1E-130"),
    Decimal("12345678901234567890.123456789012345678"),
    "",
    "e4",
    "ünïcødé ♞",
    b"",
    b"\x00\xffzlib",
    bytearray(b"abc"),
    {1, 2, 3},
    {Decimal("2.5")},
    {"a", "b"},
    {b"x", b"y"},
    frozenset({"only"}),
    set(),
    [],
    [1, "a", None, [True, {"k": b"v"}]],
    (1, 2),
    {},
    {"pk": "GAME#1", "sk": "META", "moves": ["e4", "e5"], "n": 3, "nested": {"deep": {"er": [Decimal("0.5")]}}},
]


def _boto3_plain(value):
    """What the adapter handed services with boto3: Decimals made int or float, Binary unwrapped."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Binary):
        return bytes(value.value)
    if isinstance(value, dict):
        return {k: _boto3_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_boto3_plain(v) for v in value]
    if isinstance(value, set):
        return {_boto3_plain(v) for v in value}
    return value


def _same_shape(ours, theirs):
    """Attribute values compare equal, sets' members in any order."""
    ((kind, value),) = ours.items()
    ((their_kind, their_value),) = theirs.items()
    assert kind == their_kind
    if kind in ("SS", "NS", "BS"):
        assert sorted(value) == sorted(their_value)
    elif kind == "L":
        assert len(value) == len(their_value)
        for a, b in zip(value, their_value, strict=True):
            _same_shape(a, b)
    elif kind == "M":
        assert value.keys() == their_value.keys()
        for key in value:
            _same_shape(value[key], their_value[key])
    else:
        assert value == their_value


@pytest.mark.parametrize("value", SAMPLES, ids=lambda value: type(value).__name__)
def test_each_value_is_written_and_read_as_boto3_does(value):
    theirs = TypeSerializer().serialize(value)
    ours = to_attribute(value)
    _same_shape(ours, theirs)
    assert from_attribute(ours) == _boto3_plain(TypeDeserializer().deserialize(theirs))


def _random_value(rng: random.Random, depth: int = 0):
    kinds = ["none", "bool", "int", "decimal", "str", "bytes"] + (["list", "map", "set"] if depth < 3 else [])
    kind = rng.choice(kinds)
    if kind == "none":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "int":
        return rng.randint(-(10**20), 10**20)
    if kind == "decimal":
        return Decimal(rng.randint(-(10**12), 10**12)).scaleb(rng.randint(-20, 20))
    if kind == "str":
        return "".join(rng.choice("ab♞é0 #") for _ in range(rng.randint(0, 8)))
    if kind == "bytes":
        return rng.randbytes(rng.randint(0, 6))
    if kind == "list":
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind == "map":
        return {f"k{i}": _random_value(rng, depth + 1) for i in range(rng.randint(0, 4))}
    return rng.choice([{rng.randint(0, 99) for _ in range(3)}, {"x", "yy", ""}, {b"1", b"22"}])


def test_random_nested_items_match_boto3():
    rng = random.Random(1729)
    for _ in range(500):
        item = {"pk": "X", "value": _random_value(rng)}
        theirs = TypeSerializer().serialize(item)
        ours = to_attribute(item)
        _same_shape(ours, theirs)
        assert (
            from_attribute(ours)
            == _boto3_plain(TypeDeserializer().deserialize(theirs))
            == _boto3_plain(TypeDeserializer().deserialize(ours))
        )


REFUSED = [
    1.5,
    [1.0],
    {"nested": {2.0}},
    Decimal("NaN"),
    Decimal("Infinity"),
    Decimal("1234567890123456789012345678901234567890"),  # 40 digits: would be rounded
    Decimal("1E+200"),
    Decimal("1E-200"),
    {"a", 1},
    object(),
]


@pytest.mark.parametrize("value", REFUSED, ids=lambda value: type(value).__name__)
def test_what_boto3_refuses_is_refused(value):
    with pytest.raises((TypeError, decimal.DecimalException)) as boto3_refused:
        TypeSerializer().serialize(value)
    with pytest.raises(boto3_refused.type):
        to_attribute(value)


def test_values_boto3_leaves_for_dynamodb_to_refuse_are_refused_before_any_call():
    for value in (Decimal("-Infinity"), Decimal("sNaN"), Decimal("-NaN")):
        with pytest.raises(TypeError):
            to_attribute(value)


def test_an_unknown_or_empty_attribute_value_is_refused():
    with pytest.raises(TypeError):
        from_attribute({})
    with pytest.raises(TypeError):
        from_attribute({"X": "1"})
