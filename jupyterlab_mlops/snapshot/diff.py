"""Cell-level diff of two notebooks (sources and outputs), for comparing two runs' snapshots.

Cells are aligned with :class:`difflib.SequenceMatcher` on ``(cell_type, source)``; cells in a
replaced block are paired by cell id when both sides have it, else by position. Outputs are
compared without execution counts; ``outputs_diff`` is a unified diff of a text rendering
(binary outputs appear as ``<image/png 1234 bytes sha256:...>``).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from typing import Any, Optional

from .scrub import is_binary_mime

MAX_DIFF_LINES = 400


def _source(cell: dict[str, Any]) -> str:
    return _text(cell.get("source", ""))


def _key(cell: dict[str, Any]) -> str:
    return f"{cell.get('cell_type', '')}\0{_source(cell)}"


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return "".join(value)
    return json.dumps(value, sort_keys=True)


def _normal_outputs(cell: dict[str, Any]) -> str:
    outs = []
    for out in cell.get("outputs") or []:
        if isinstance(out, dict):
            o = {k: v for k, v in out.items() if k not in ("execution_count", "metadata", "transient")}
            if "text" in o:
                o["text"] = _text(o["text"])
            if isinstance(o.get("data"), dict):
                o["data"] = {m: _text(v) if not isinstance(v, dict) else v for m, v in o["data"].items()}
            outs.append(o)
    return json.dumps(outs, sort_keys=True)


def render_outputs(cell: dict[str, Any]) -> list[str]:
    """Outputs as text lines: streams, text/plain, errors, and a digest of other mime types."""
    lines: list[str] = []
    for out in cell.get("outputs") or []:
        if not isinstance(out, dict):
            continue
        kind = out.get("output_type")
        if kind == "stream":
            lines += _text(out.get("text", "")).splitlines()
        elif kind == "error":
            lines.append(f"{out.get('ename', '')}: {out.get('evalue', '')}")
        elif isinstance(out.get("data"), dict):
            for mime, value in sorted(out["data"].items()):
                text = _text(value) if not isinstance(value, dict) else json.dumps(value, sort_keys=True)
                if mime == "text/plain":
                    lines += text.splitlines()
                elif is_binary_mime(mime) or len(text) > 2000:
                    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
                    lines.append(f"<{mime} {len(text)} bytes sha256:{digest}>")
                elif mime != "text/plain":
                    lines += [f"[{mime}] {line}" for line in text.splitlines()]
    return lines


def _unified(a: list[str], b: list[str], name_a: str, name_b: str) -> str:
    diff = list(difflib.unified_diff(a, b, fromfile=name_a, tofile=name_b, lineterm="", n=3))
    if len(diff) > MAX_DIFF_LINES:
        diff = diff[:MAX_DIFF_LINES] + [f"... {len(diff) - MAX_DIFF_LINES} more lines"]
    return "\n".join(diff)


Indexed = tuple[int, dict[str, Any]]


def _entry(status: str, a: Optional[Indexed], b: Optional[Indexed]) -> dict[str, Any]:
    ca, cb = (a[1] if a else None), (b[1] if b else None)
    cell = cb if cb is not None else ca
    assert cell is not None
    src_a, src_b = (_source(ca) if ca else ""), (_source(cb) if cb else "")
    outputs_changed = (_normal_outputs(ca) if ca else "[]") != (_normal_outputs(cb) if cb else "[]")
    if status == "unchanged" and outputs_changed:
        status = "modified"
    ia, ib = (a[0] if a else None), (b[0] if b else None)
    label_a, label_b = f"a/cell {ia}" if a else "/dev/null", f"b/cell {ib}" if b else "/dev/null"
    return {
        "status": status,
        "a_index": ia,
        "b_index": ib,
        "cell_type": cell.get("cell_type", "code"),
        "id": cell.get("id"),
        "source": src_b if cb is not None else src_a,
        "source_diff": "" if src_a == src_b else _unified(src_a.splitlines(), src_b.splitlines(), label_a, label_b),
        "outputs_changed": outputs_changed,
        "outputs_diff": _unified(render_outputs(ca) if ca else [], render_outputs(cb) if cb else [], label_a, label_b)
        if outputs_changed
        else "",
    }


def _pair(block_a: list[Indexed], block_b: list[Indexed]) -> list[dict[str, Any]]:
    """Pair a replaced block: by cell id when possible, else by position; the rest added/removed."""
    ids_b = {c.get("id"): (i, c) for i, c in block_b if c.get("id")}
    pairs: dict[int, Indexed] = {}
    for ia, ca in block_a:
        if ca.get("id") in ids_b:
            pairs[ids_b[ca["id"]][0]] = (ia, ca)
    if not pairs:
        for (ia, ca), (ib, _cb) in zip(block_a, block_b):
            pairs[ib] = (ia, ca)
    used_a = {p[0] for p in pairs.values()}
    out = [_entry("removed", a, None) for a in block_a if a[0] not in used_a]
    for ib, cb in block_b:
        out.append(_entry("modified", pairs[ib], (ib, cb)) if ib in pairs else _entry("added", None, (ib, cb)))
    return out


def diff_notebooks(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """``{cells: [{status, a_index, b_index, source_diff, outputs_changed, ...}], summary: {...}}``."""
    cells_a = [c for c in a.get("cells", []) if isinstance(c, dict)]
    cells_b = [c for c in b.get("cells", []) if isinstance(c, dict)]
    matcher = difflib.SequenceMatcher(None, [_key(c) for c in cells_a], [_key(c) for c in cells_b], autojunk=False)
    out: list[dict[str, Any]] = []
    all_a, all_b = list(enumerate(cells_a)), list(enumerate(cells_b))
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        block_a, block_b = all_a[i1:i2], all_b[j1:j2]
        if op == "equal":
            out += [_entry("unchanged", x, y) for x, y in zip(block_a, block_b)]
        elif op == "delete":
            out += [_entry("removed", x, None) for x in block_a]
        elif op == "insert":
            out += [_entry("added", None, y) for y in block_b]
        else:
            out += _pair(block_a, block_b)
    summary = {s: sum(1 for c in out if c["status"] == s) for s in ("unchanged", "modified", "added", "removed")}
    return {"cells": out, "summary": summary}
