"""Deterministic PNG charts for check results.

Charts are evidence attached to a CheckRun and embedded in reports whose SHA-256 is stored,
so the same inputs must give byte-identical PNGs: the Agg backend, a fixed size and dpi, a
seeded global RNG for plotting code that jitters points (shap's beeswarm shuffles), and no
"Software" metadata (the only non-deterministic text chunk matplotlib writes) are enforced
here. Our own charts use the object-oriented API (``Figure`` + ``FigureCanvasAgg``) so they
are safe in threaded workers; pyplot-based plots (shap's) are serialised behind a lock.
"""

from __future__ import annotations

import contextlib
import functools
import io
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import matplotlib

matplotlib.use("Agg")  # headless workers; must precede any pyplot import

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 100
DEFAULT_SIZE = (8.0, 4.5)
PNG_METADATA: dict[str, str | None] = {"Software": None}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")

PYPLOT_LOCK = threading.RLock()
"""pyplot keeps a global current figure; third-party plots that use it must hold this lock."""

_STYLE = {
    "font.family": "DejaVu Sans",  # ships with matplotlib, so glyphs do not depend on the host
    "font.size": 9,
    "axes.titlesize": 10,
    "path.simplify": True,
}

_F = TypeVar("_F", bound=Callable[..., Any])


def styled(func: _F) -> _F:
    """Run a chart-building function under the house style.

    Text properties are resolved when artists are created, so the whole function (not only
    ``savefig``) must run inside the style context for the output not to depend on whatever
    global rcParams the host process has set.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with matplotlib.rc_context(_STYLE):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def new_figure(size: tuple[float, float] = DEFAULT_SIZE) -> Figure:
    """A figure detached from pyplot (safe in threaded workers)."""
    fig = Figure(figsize=size, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def figure_to_png(fig: Figure) -> bytes:
    """Render ``fig`` to PNG bytes without metadata that would change between runs."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata=PNG_METADATA)
    return buffer.getvalue()


@contextlib.contextmanager
def seeded_global_rng(seed: int) -> Iterator[None]:
    """Seed numpy's legacy global RNG for the duration of a block, then restore it.

    Some plotting code (shap) draws from ``np.random`` directly; seeding makes its output
    reproducible, and restoring keeps the caller's random stream untouched.
    """
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


@contextlib.contextmanager
def pyplot_figure(size: tuple[float, float] = DEFAULT_SIZE, seed: int = 0) -> Iterator[object]:
    """A fresh pyplot figure for libraries that draw on the current figure; always closed."""
    import matplotlib.pyplot as plt  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    with PYPLOT_LOCK, matplotlib.rc_context(_STYLE), seeded_global_rng(seed):
        fig = plt.figure(figsize=size, dpi=DPI)
        try:
            yield fig
        finally:
            plt.close(fig)


@styled
def horizontal_bar_chart(
    values: Mapping[str, float],
    *,
    title: str,
    xlabel: str,
    max_items: int = 20,
    threshold: float | None = None,
) -> bytes:
    """Bars sorted by value, largest on top (global importance, PSI per feature)."""
    items = sorted(values.items(), key=lambda kv: (-_finite(kv[1]), kv[0]))[:max_items]
    height = max(2.5, 0.3 * len(items) + 1.2)
    fig = new_figure((8.0, height))
    ax = fig.add_subplot(1, 1, 1)
    labels = [k for k, _ in items][::-1]
    data = [_finite(v) for _, v in items][::-1]
    ax.barh(range(len(data)), data, color=PALETTE[0])
    ax.set_yticks(range(len(labels)), labels)
    if threshold is not None:
        ax.axvline(threshold, color=PALETTE[3], linestyle="--", linewidth=1)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    fig.tight_layout()
    return figure_to_png(fig)


@styled
def grouped_bar_chart(
    groups: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    ylabel: str,
    ylim: tuple[float, float] | None = (0.0, 1.0),
    annotations: Sequence[str] | None = None,
) -> bytes:
    """One cluster of bars per group, one bar per series (selection rate, TPR, FPR...)."""
    n_series = max(1, len(series))
    width = 0.8 / n_series
    fig = new_figure((max(6.0, 0.9 * len(groups) * n_series / 2 + 3), 4.5))
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(len(groups))
    for i, (name, values) in enumerate(series.items()):
        data = [_finite(v) for v in values]
        ax.bar(x + (i - (n_series - 1) / 2) * width, data, width, label=name, color=PALETTE[i % 6])
    ticks = list(groups)
    if annotations is not None:
        ticks = [f"{g}\n{a}" for g, a in zip(groups, annotations, strict=True)]
    ax.set_xticks(
        x, ticks, rotation=30 if len(groups) > 4 else 0, ha="right" if len(groups) > 4 else "center"
    )
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return figure_to_png(fig)


def _finite(value: float | None) -> float:
    """Missing values are drawn as zero-height bars (the table shows them as n/a)."""
    if value is None:
        return 0.0
    value = float(value)
    return value if np.isfinite(value) else 0.0
