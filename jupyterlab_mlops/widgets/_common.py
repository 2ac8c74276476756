"""Shared helpers of the notebook widgets: backend access, safe HTML, a tiny SVG line chart.

Everything shown comes from a possibly shared backend, so every name and value goes through
:func:`esc` before it is put into HTML (names are rendered as text, DESIGN §9).
"""

from __future__ import annotations

import html
import math
from datetime import datetime
from typing import Any, Callable, Optional, Sequence

import ipywidgets as w

from ..client.errors import MlopsError
from ..kernel.links import anchor_html, is_lab_link
from ..views.downsample import downsample

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
DIFF_STYLE = "background: var(--jp-warn-color3, #fff3cd);"
#: Points drawn per line at most (each bucket's min and max kept: the shape of the curve).
CHART_MAX_POINTS = 500
CELL = "padding: 2px 8px; border-bottom: 1px solid var(--jp-border-color2, #ddd); text-align: left;"


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def session_of(session: Any) -> Any:
    if session is None:
        from ..kernel import api

        return api.session()
    return session


def fmt_time(ms: Optional[int]) -> str:
    if not ms:
        return ""
    return datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M")


def fmt_value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], highlight: Sequence[bool] = ()) -> str:
    """An HTML table; every cell escaped; rows with ``highlight[i]`` get the "differs" style."""
    head = "".join(f"<th style='{CELL}'>{esc(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        style = DIFF_STYLE if i < len(highlight) and highlight[i] else ""
        cells = "".join(f"<td style='{CELL}'>{esc(c)}</td>" for c in row)
        body.append(f"<tr style='{style}'>{cells}</tr>")
    return (
        f"<table class='jp-mlops-table' style='border-collapse: collapse; font-size: var(--jp-ui-font-size1);'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def message_html(text: str, kind: str = "error") -> str:
    color = {
        "error": "var(--jp-error-color1, #d32f2f)",
        "ok": "var(--jp-success-color1, #388e3c)",
        "info": "var(--jp-ui-font-color2, #555)",
    }[kind]
    return f"<span style='color: {color}'>{esc(text)}</span>"


def link_html(url: Optional[str], text: str) -> str:
    """A link: a JupyterLab link (kernel/links.py) opens in this JupyterLab, a web page in a new tab."""
    if not url or not (url.startswith(("http://", "https://")) or is_lab_link(url)):
        return esc(text)
    return anchor_html(url, text)


def line_chart(
    series: Sequence[tuple[str, Sequence[tuple[float, float]]]], *, width: int = 640, height: int = 260, title: str = ""
) -> str:
    """An inline SVG chart of (label, [(x, y), ...]) series, labels escaped."""
    finite = [(x, y) for _, pts in series for x, y in pts if math.isfinite(x) and math.isfinite(y)]
    if not finite:
        return message_html("no metric points to plot", "info")
    xs, ys = [p[0] for p in finite], [p[1] for p in finite]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    if x1 == x0:
        x1 = x0 + 1
    if y1 == y0:
        y1, y0 = y0 + 0.5, y0 - 0.5
    left, right, top, bottom = 56, 12, 20, 28
    pw, ph = width - left - right, height - top - bottom

    def sx(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def sy(y: float) -> float:
        return top + (1 - (y - y0) / (y1 - y0)) * ph

    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"style='font: 10px sans-serif; color: var(--jp-ui-font-color1, #222)'>",
        f"<rect x='{left}' y='{top}' width='{pw}' height='{ph}' fill='none' stroke='currentColor' "
        "stroke-opacity='0.3'/>",
        f"<text x='{left}' y='12' fill='currentColor'>{esc(title)}</text>",
        f"<text x='{left - 4}' y='{top + 8}' text-anchor='end' fill='currentColor'>{y1:.4g}</text>",
        f"<text x='{left - 4}' y='{top + ph}' text-anchor='end' fill='currentColor'>{y0:.4g}</text>",
        f"<text x='{left}' y='{height - 10}' fill='currentColor'>{x0:.6g}</text>",
        f"<text x='{left + pw}' y='{height - 10}' text-anchor='end' fill='currentColor'>{x1:.6g}</text>",
    ]
    legend_y = top + 12
    for i, (label, pts) in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        clean = downsample(
            [(x, y) for x, y in pts if math.isfinite(x) and math.isfinite(y)], CHART_MAX_POINTS, "minmax"
        )
        if len(clean) == 1:
            x, y = clean[0]
            parts.append(f"<circle cx='{sx(x):.1f}' cy='{sy(y):.1f}' r='3' fill='{color}'/>")
        elif clean:
            path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in clean)
            parts.append(f"<polyline fill='none' stroke='{color}' stroke-width='1.5' points='{path}'/>")
        parts.append(f"<text x='{left + pw - 4}' y='{legend_y}' text-anchor='end' fill='{color}'>{esc(label)}</text>")
        legend_y += 12
    parts.append("</svg>")
    return "".join(parts)


class Panel(w.VBox):
    """Base: a ``message`` line and :meth:`guard` to show errors there instead of raising."""

    def __init__(self, session: Any = None, **kwargs: Any) -> None:
        self.session = session_of(session)
        self.message = w.HTML("")
        super().__init__(**kwargs)

    @property
    def client(self) -> Any:
        return self.session.client

    def guard(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``fn``; a backend or input error becomes the message line (never a traceback)."""
        try:
            result = fn(*args, **kwargs)
        except MlopsError as exc:
            self.message.value = message_html(exc.message)
            return None
        return result

    def say(self, text: str, kind: str = "info") -> None:
        self.message.value = message_html(text, kind) if text else ""

    def run_order(self) -> list[str]:
        return ["created_at DESC"] if self.client.backend.kind == "gitlab" else ["attributes.start_time DESC"]
