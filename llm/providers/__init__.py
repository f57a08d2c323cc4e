"""Model provider clients behind one interface (see ``base.py``).

``get_provider("openai:gpt-4.1-mini")`` returns ``(provider, "gpt-4.1-mini")``; ``provider.complete(...)``
returns a ``Completion`` or raises ``ProviderError``. Importing this package imports no SDK.
"""

from __future__ import annotations

from .base import ERROR_KINDS, Completion, FinishReason, Message, Provider, ProviderError
from .registry import endpoints, get_provider, split_player

__all__ = [
    "ERROR_KINDS",
    "Completion",
    "FinishReason",
    "Message",
    "Provider",
    "ProviderError",
    "endpoints",
    "get_provider",
    "split_player",
]
