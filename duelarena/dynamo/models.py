"""dynamorm models over the single table.

dynamorm picks its schema backend from ``sys.modules`` (marshmallow first). We use schematics: its
marshmallow backend is broken on marshmallow 3+, so importing this module with marshmallow loaded is
refused. schematics warns (DeprecationWarning) on every validate; that noise is filtered here.

Every model shares the one table and the one boto3 resource from ``connection``: the inner Table is
built by ``table_class`` whose ``get_table`` hands dynamorm our lazily created table (dynamorm would
otherwise build a new boto3 session per model).
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import schematics  # noqa: F401 - must be in sys.modules before dynamorm builds a model
from django.conf import settings

if "marshmallow" in sys.modules:  # pragma: no cover - a guard, see the module docstring
    raise ImportError("marshmallow is loaded: dynamorm would pick its broken marshmallow backend")

warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"schematics(\..*)?$")
warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"dynamorm(\..*)?$")
try:
    from schematics.deprecated import SchematicsDeprecationWarning

    warnings.filterwarnings("ignore", category=SchematicsDeprecationWarning)
except ImportError:  # pragma: no cover
    pass

from dynamorm import DynaModel  # noqa: E402
from schematics import types  # noqa: E402

from duelarena.dynamo import connection  # noqa: E402


def table_class() -> type:
    """A fresh inner ``Table`` class for a model on the shared table (keys pk/sk)."""

    def get_table(cls: Any, name: str | None = None) -> Any:
        return connection.table()

    def get_resource(cls: Any, **kwargs: Any) -> Any:
        return connection.resource()

    return type(
        "Table",
        (),
        {
            "name": settings.DYNAMODB_TABLE,
            "hash_key": "pk",
            "range_key": "sk",
            "get_table": classmethod(get_table),
            "get_resource": classmethod(get_resource),
        },
    )


__all__ = ["DynaModel", "table_class", "types"]
