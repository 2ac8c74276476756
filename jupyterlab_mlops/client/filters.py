"""Search filter strings: every one the package sends is built here, on :func:`quote` (DESIGN §9).

MLflow (``mlflow/utils/search_utils.py``) tokenizes a filter with sqlparse and keeps the text between a
value's outer quotes as is: it reads no escape (``'it''s'`` means ``it''s``), so a value is quoted with
the quote kind it does not contain. ``LIKE``/``ILIKE`` take no escape either (SQLAlchemy ``like()``
without ``escape=``; PostgreSQL would read ``\\`` as one), so ``%`` and ``_`` stay wildcards: patterns
here match a superset and callers keep the exact matches (:func:`matches`, equality).

GitLab reads only ``name=<value>`` on model search: it splits on ``=`` (keeping two parts), strips a
quote at each line's start and end (Ruby ``^``/``$``) and matches a case-sensitive substring with
``%``/``_`` escaped (``Ml::Model.by_name``; GITLAB_API.md §2.2); runs and experiments have no filter.
"""

from __future__ import annotations

import re
from typing import Optional

from .dialect import GITLAB, MLFLOW, Dialect
from .errors import InvalidInput

#: what a LIKE pattern never carries: quotes, backslash, control and non-ASCII characters (SQLite
#: folds case for ASCII only); each run becomes ``%``, which matches them on every database.
_UNSAFE = re.compile(r"(?:['\"\\]|[^\x20-\x7e])+")


def quote(value: str, dialect: Dialect = MLFLOW) -> Optional[str]:
    """``value`` as a string literal the dialect reads back unchanged, or None when it has none.

    MLflow: ``'v'``, else ``"v"``; none with both quote kinds, or with a trailing backslash (sqlparse
    would take it as escaping the closing quote). GitLab: ``'v'``; none with ``=`` or a line break."""
    if dialect.is_gitlab:
        return None if "=" in value or "\n" in value else f"'{value}'"
    if value.endswith("\\"):
        return None
    q = "'" if "'" not in value else '"' if '"' not in value else None
    return f"{q}{value}{q}" if q else None


def like(text: str, *, contains: bool = False) -> str:
    """A quoted MLflow LIKE pattern matching at least every string equal to (or containing) ``text``."""
    pattern = _UNSAFE.sub("%", text)
    return quote(f"%{pattern}%" if contains else pattern) or "'%'"  # never None: no quote, no backslash


def equals(key: str, value: str) -> str:
    """MLflow ``key = 'value'``; a ``LIKE`` superset when the value has no literal (compare after)."""
    literal = quote(value)
    return f"{key} = {literal}" if literal else f"{key} LIKE {like(value)}"


def tag_key(key: str) -> str:
    """``tags.`key``` (MLflow trims the backticks and reads no escape inside them)."""
    if "`" in key:
        raise InvalidInput(f"A tag key with a backtick cannot be searched: {key!r}.", reason="invalid_filter")
    return f"tags.`{key}`"


def name_contains(needle: str, dialect: Dialect) -> Optional[str]:
    """Filter for names containing ``needle`` (case-insensitive on MLflow, as GitLab's on GitLab), as
    a superset: keep :func:`matches` after. None: nothing to send (GitLab with no readable piece)."""
    if not dialect.is_gitlab:
        return f"name ILIKE {like(needle, contains=True)}"
    literal = quote(needle, GITLAB)
    if literal is None:  # the longest piece GitLab reads whole: its matches contain the needle's
        literal = quote(max(re.split(r"[=\n]", needle), key=len), GITLAB)
    return f"name={literal}" if literal and literal != "''" else None


def matches(name: str, needle: str) -> bool:
    """The exact test behind :func:`name_contains` (a case-insensitive substring)."""
    return needle.lower() in name.lower()
