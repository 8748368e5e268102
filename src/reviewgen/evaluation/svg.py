"""Small inline SVG charts: the report must render offline with no scripts, fonts or libraries."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

SYNTHETIC = "#d95f02"
REAL = "#1f78b4"
HOLDOUT = "#33a02c"
Series = tuple[str, str, Sequence[float | None]]  # name, colour, one value per category
Format = Callable[[float], str]


def percent(value: float) -> str:
    return f"{value:.0%}" if abs(value) >= 0.1 or value == 0 else f"{value:.1%}"


def number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        high = low + 1.0
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start, stop = math.floor(low / step), math.ceil(high / step)
    return [round(i * step, 10) for i in range(start, stop + 1)]


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    parts = []
    for name, colour, _ in series:
        parts.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14:.1f}" y="{y:.1f}" class="legend">{escape(name)}</text>')
        x += 22 + 7 * len(name)
    return parts


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    value_format: Format = percent,
    width: int = 380,
    height: int = 230,
    max_labels: int = 10,
    marker: tuple[float, str] | None = None,
) -> str:
    """Grouped vertical bars (negative values hang below the zero line). ``marker`` draws a
    dashed line at a position in category units, e.g. a percentile between two bins."""
    left, right, top, bottom = 46, 8, 30, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, _, vs in series for v in vs if v is not None]
    ticks = _nice_ticks(min(0.0, *values) if values else 0.0, max(0.0, *values) if values else 1.0)
    low, high = ticks[0], ticks[-1]

    def y_of(value: float) -> float:
        return top + plot_h * (high - value) / (high - low)

    body = [f'<text x="{left}" y="13" class="title">{escape(title)}</text>']
    body += _legend(series, left, 26)
    for tick in ticks:
        y = y_of(tick)
        body.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
        )
        body.append(
            f'<text x="{left - 4}" y="{y + 3:.1f}" class="axis" text-anchor="end">'
            f"{escape(value_format(tick))}</text>"
        )
    band = plot_w / max(1, len(categories))
    bar_w = band * 0.8 / max(1, len(series))
    zero = y_of(0.0)
    for i, category in enumerate(categories):
        for j, (name, colour, vs) in enumerate(series):
            value = vs[i]
            if value is None:
                continue
            x = left + i * band + band * 0.1 + j * bar_w
            y, h = min(zero, y_of(value)), abs(zero - y_of(value))
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(bar_w - 0.5, 0.5):.1f}" '
                f'height="{max(h, 0.5):.1f}" fill="{colour}"><title>{escape(name)}, '
                f"{escape(category)}: {escape(value_format(value))}</title></rect>"
            )
    step = max(1, math.ceil(len(categories) / max_labels))
    for i in range(0, len(categories), step):
        x = left + (i + 0.5) * band
        body.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 14}" class="axis" text-anchor="middle">'
            f"{escape(categories[i])}</text>"
        )
    body.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{zero:.1f}" y2="{zero:.1f}" class="zero"/>'
    )
    if marker is not None:
        x = left + marker[0] * band
        body.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" class="marker"/>'
        )
        body.append(f'<text x="{x + 3:.1f}" y="{top + 10}" class="axis">{escape(marker[1])}</text>')
    return _svg(width, height, title, body)


def horizontal_bars(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    value_format: Format = percent,
    width: int = 560,
) -> str:
    """Paired horizontal bars, one row per label (aspects read better down than across)."""
    left, right, top, row_h = 130, 46, 34, 10 * len(series) + 8
    plot_w = width - left - right
    height = top + row_h * len(labels) + 8
    values = [v for _, _, vs in series for v in vs if v is not None]
    high = max([*values, 1e-9])
    body = [f'<text x="4" y="13" class="title">{escape(title)}</text>']
    body += _legend(series, left, 28)
    for i, label in enumerate(labels):
        y0 = top + i * row_h
        body.append(
            f'<text x="{left - 6}" y="{y0 + row_h / 2 + 3:.1f}" class="axis" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        for j, (name, colour, vs) in enumerate(series):
            value = vs[i]
            if value is None:
                continue
            y = y0 + 4 + j * 10
            w = plot_w * value / high
            tip = f"{name}, {label}: {value_format(value)}"
            body.append(
                f'<rect x="{left}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="9" '
                f'fill="{colour}"><title>{escape(tip)}</title></rect>'
            )
            body.append(
                f'<text x="{left + w + 3:.1f}" y="{y + 8:.1f}" class="value">'
                f"{escape(value_format(value))}</text>"
            )
    return _svg(width, height, title, body)
