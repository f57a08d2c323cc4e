"""botocore's model loader for ``duelarena.aws``'s session, without its scan of every service directory.

Before it loads a service's model (``service-2``, ``endpoint-rule-set-1``), botocore's ``Loader`` checks
the name against ``list_available_services``, which lists every service directory on its search path
(~440 in botocore's data) and looks into each: ~9 ms per model type, ~18 ms of building the first
DynamoDB client, most of what the first API request spends in botocore beyond the import
(bench/cold_start.py). Here that answer is a ``KnownServices`` list: whether one name is in it is
answered from that service's own directory, with the same test botocore applies to each; reading the
list itself (botocore's error message for an unknown service, ``Session.get_available_services``)
makes the full scan, as before. Every other behaviour, and every model, is botocore's own.

Imported by ``duelarena.aws`` when it makes its session (botocore is imported here, lazily for the app).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import Any, overload

from botocore.loaders import Loader


class KnownServices(Sequence[str]):
    """The services that have a ``type_name`` model on ``loader``'s search path."""

    def __init__(self, loader: Loader, type_name: str) -> None:
        self._loader = loader
        self._type_name = type_name

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str) or not name or os.sep in name or name.startswith("."):
            return False
        for base in self._loader.search_paths:
            directory = os.path.join(base, name)
            if not os.path.isdir(directory):
                continue
            for api_version in os.listdir(directory):
                if self._loader.file_loader.exists(os.path.join(directory, api_version, self._type_name)):
                    return True
        return False

    @cached_property
    def _all(self) -> list[str]:
        return Loader.list_available_services(self._loader, self._type_name)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._all[index]

    def __len__(self) -> int:
        return len(self._all)

    def __iter__(self) -> Iterator[str]:
        return iter(self._all)


class ModelLoader(Loader):
    """botocore's ``Loader``, answering "is this service known?" without listing them all."""

    def list_available_services(self, type_name: str) -> KnownServices:
        return KnownServices(self, type_name)


def loader_for(session: Any) -> ModelLoader:
    """The loader ``session`` would make (botocore's ``create_loader``: the ``data_path`` setting, i.e.
    ``AWS_DATA_PATH``, searched before botocore's own data), as a ``ModelLoader``."""
    data_path = session.get_config_variable("data_path")
    paths = [os.path.expanduser(os.path.expandvars(p)) for p in data_path.split(os.pathsep)] if data_path else []
    return ModelLoader(extra_search_paths=paths)
