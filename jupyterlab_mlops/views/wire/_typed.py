"""``TypedDict`` as the contract test's checker (pydantic) reads it on every supported Python: ``typing``'s
before 3.12 is not (``typing_extensions`` comes with ``anyio``, a dependency of jupyter_server and httpx)."""

import sys

if sys.version_info >= (3, 12):
    from typing import TypedDict
else:  # pragma: no cover - depends on the interpreter
    from typing_extensions import TypedDict

__all__ = ["TypedDict"]
