"""Radar chart of theme scores, as an inline SVG string.

Pure: plain data in, a string out, nothing from Django. The same function
draws the chart on the results page and in the WeasyPrint PDF report, so the
SVG is self-contained: no CSS, no script, no ``style`` attribute (the site's
Content-Security-Policy forbids inline styles), only SVG presentation
attributes. Every piece of text passed in is escaped here, which is what
lets callers mark the result safe.

Accessibility (RGAA): the chart is one image (``role="img"``) named by its
<title> and described by its <desc>, which spells out every value; pages
also show the same data as a table and as sentences. Series differ by line
pattern and marker shape, not by colour alone.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["RINGS", "format_score", "radar_svg"]

RINGS = (25, 50, 75, 100)

DEFAULT_TITLE = "Score par thème (sur 100)"
DEFAULT_SERIES_NAMES = ("Cette auto-évaluation", "Auto-évaluation précédente", "Moyenne du territoire")
DEFAULT_NOT_EVALUATED = "non évalué"

# Rough advance width of a character, in font sizes, for a sans-serif font
# (Marianne, Arial). Used only to size the view box so that labels are not
# clipped; a slight overestimate costs a little white space, nothing more.
_CHAR_WIDTH = 0.56
_BOLD_CHAR_WIDTH = 0.62
_LINE_HEIGHT = 1.25
_FONT_FAMILY = "Marianne, Arial, Helvetica, sans-serif"

_GRID = "#cecece"
_GRID_OUTER = "#929292"
_AXIS = "#929292"
_TEXT = "#161616"
_TEXT_MUTED = "#555555"  # 7.4:1 on white


@dataclass(frozen=True)
class _Style:
    stroke: str
    stroke_width: float
    dasharray: str | None
    marker: str  # circle | square | diamond
    fill: str | None = None
    fill_opacity: float = 0.0


# Blue France for the organisation's own scores; the two comparison series
# are told apart by dashes and marker shapes as much as by colour.
_STYLES = (
    _Style(stroke="#000091", stroke_width=2.5, dasharray=None, marker="circle", fill="#000091", fill_opacity=0.15),
    _Style(stroke="#555555", stroke_width=2, dasharray="7 4", marker="square"),
    _Style(stroke="#b34000", stroke_width=2, dasharray="2 3", marker="diamond"),
)


def format_score(score, *, decimal_separator=",", not_evaluated=DEFAULT_NOT_EVALUATED):
    """42.0 → "42", 42.5 → "42,5", None → « non évalué »."""
    if score is None:
        return not_evaluated
    value = round(float(score), 1)
    text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return text.replace(".", decimal_separator)


def _num(x):
    # Two decimals keep the markup short and are far below a device pixel.
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attrs(**attributes):
    parts = []
    for name, value in attributes.items():
        if value is None:
            continue
        parts.append(f'{name.rstrip("_").replace("_", "-")}="{escape(str(value), quote=True)}"')
    return " ".join(parts)


class _Extent:
    """Bounding box of what was drawn, to size the view box."""

    def __init__(self):
        self.min_x = self.min_y = math.inf
        self.max_x = self.max_y = -math.inf

    def add(self, x, y):
        self.min_x, self.max_x = min(self.min_x, x), max(self.max_x, x)
        self.min_y, self.max_y = min(self.min_y, y), max(self.max_y, y)

    def add_text(self, x, baseline, text, font_size, anchor, bold=False):
        width = len(text) * font_size * (_BOLD_CHAR_WIDTH if bold else _CHAR_WIDTH)
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        self.add(left, baseline - font_size)
        self.add(left + width, baseline + font_size * 0.3)


def _clean_value(value):
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return None
    return min(max(value, 0.0), 100.0)


def _point(angle, radius):
    return radius * math.cos(angle), radius * math.sin(angle)


def _marker(shape, x, y, size, style):
    fill = style.stroke if shape == "circle" else "#ffffff"
    common = {"fill": fill, "stroke": style.stroke, "stroke_width": 1.5}
    if shape == "circle":
        return f"<circle {_attrs(cx=_num(x), cy=_num(y), r=_num(size), **common)}/>"
    if shape == "square":
        s = size * 0.9
        return f"<rect {_attrs(x=_num(x - s), y=_num(y - s), width=_num(2 * s), height=_num(2 * s), **common)}/>"
    s = size * 1.25
    points = f"{_num(x)},{_num(y - s)} {_num(x + s)},{_num(y)} {_num(x)},{_num(y + s)} {_num(x - s)},{_num(y)}"
    return f"<polygon {_attrs(points=points, **common)}/>"


def _series_markup(values, angles, radius, style, marker_size):
    """Outline (broken where an axis is « non évalué »), optional fill, markers."""
    n = len(values)
    points = [None if v is None else _point(angles[i], radius * v / 100) for i, v in enumerate(values)]
    present = [p for p in points if p is not None]
    out = []
    line = {
        "fill": "none",
        "stroke": style.stroke,
        "stroke_width": style.stroke_width,
        "stroke_dasharray": style.dasharray,
        "stroke_linejoin": "round",
        "stroke_linecap": "round",
    }
    if style.fill and len(present) >= 3:
        # The area spans the evaluated axes only; the missing outline segments
        # show where an axis was skipped.
        coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in present)
        out.append(f"<polygon {_attrs(points=coords, fill=style.fill, fill_opacity=style.fill_opacity)}/>")
    if n and len(present) == n and n >= 3:
        coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in present)
        out.append(f"<polygon {_attrs(points=coords, **line)}/>")
    elif n >= 2:
        # Runs of consecutive evaluated axes, wrapping around the circle.
        start = next((i for i in range(n) if points[i] is None), 0)
        run = []
        for k in range(1, n + 1):
            p = points[(start + k) % n]
            if p is None:
                if len(run) >= 2:
                    out.append(_polyline(run, line))
                run = []
            else:
                run.append(p)
        if len(run) >= 2:
            out.append(_polyline(run, line))
    for p in present:
        out.append(_marker(style.marker, p[0], p[1], marker_size, style))
    return out


def _polyline(points, line):
    coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
    return f"<polyline {_attrs(points=coords, **line)}/>"


def _label_block(angle, radius, lines, font_size):
    """Anchor and baselines of a multi-line label placed outside the outer ring."""
    cos, sin = math.cos(angle), math.sin(angle)
    x, y = _point(angle, radius)
    gap = font_size
    x += cos * gap
    y += sin * gap
    anchor = "start" if cos > 0.25 else "end" if cos < -0.25 else "middle"
    step = font_size * _LINE_HEIGHT
    height = step * (len(lines) - 1)
    if sin < -0.5:  # above: the block grows upwards from the ring
        first = y - height - font_size * 0.25
    elif sin > 0.5:  # below: it hangs from the ring
        first = y + font_size * 0.95
    else:
        first = y - height / 2 + font_size * 0.35
    return x, first, step, anchor


def radar_svg(
    axes: Sequence[tuple[str, float | None]],
    previous: Sequence[float | None] | None = None,
    average: Sequence[float | None] | None = None,
    *,
    size: int = 480,
    title: str = DEFAULT_TITLE,
    desc: str | None = None,
    series_names: Sequence[str] = DEFAULT_SERIES_NAMES,
    not_evaluated: str = DEFAULT_NOT_EVALUATED,
    id_prefix: str = "radar",
    css_class: str | None = None,
    wrap_at: int = 16,
    decimal_separator: str = ",",
) -> str:
    """An accessible radar chart of scores on 0..100, one axis per theme.

    ``axes`` is a list of (label, score or None); None is « non évalué »: no
    point, a dashed axis and a break in the outline. ``previous`` and
    ``average`` are optional comparison series aligned with ``axes`` (a None
    entry for an axis they lack). ``size`` is the rendered width in pixels;
    the height follows from the content. ``id_prefix`` must be unique in the
    page when several charts are shown.
    """
    labels = [str(label) for label, _score in axes]
    series = [[_clean_value(score) for _label, score in axes]]
    for extra in (previous, average):
        if extra is not None:
            if len(extra) != len(axes):
                raise ValueError("every series needs one value per axis")
            series.append([_clean_value(v) for v in extra])
        else:
            series.append(None)
    n = len(labels)
    fmt = {"decimal_separator": decimal_separator, "not_evaluated": not_evaluated}

    font = size / 36
    radius = size * 0.26
    marker_size = font * 0.3
    angles = [-math.pi / 2 + 2 * math.pi * i / n for i in range(n)] if n else []
    extent = _Extent()
    if n >= 3:
        for angle in angles:
            extent.add(*_point(angle, radius))
    else:
        extent.add(-radius, -radius)
        extent.add(radius, radius)
    body = []

    # Grid: rings at 25/50/75/100, drawn as polygons so that a score sits on
    # the same straight line as its neighbours' gridline.
    grid = []
    for ring in RINGS:
        r = radius * ring / 100
        stroke = _GRID_OUTER if ring == 100 else _GRID
        if n >= 3:
            coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in (_point(a, r) for a in angles))
            grid.append(f"<polygon {_attrs(points=coords, fill='none', stroke=stroke, stroke_width=1)}/>")
        else:
            grid.append(f"<circle {_attrs(cx=0, cy=0, r=_num(r), fill='none', stroke=stroke, stroke_width=1)}/>")
    for i, angle in enumerate(angles):
        x, y = _point(angle, radius)
        dashed = "3 3" if series[0][i] is None else None
        axis = _attrs(x1=0, y1=0, x2=_num(x), y2=_num(y), stroke=_AXIS, stroke_width=1, stroke_dasharray=dashed)
        grid.append(f"<line {axis}/>")
    body.append(f'<g aria-hidden="true">{"".join(grid)}</g>')

    # Ring values, beside the first (top) axis.
    small = font * 0.8
    ring_text = []
    for ring in RINGS:
        y = -radius * ring / 100 + small * 0.35
        ring_text.append(
            f"<text {_attrs(x=_num(font * 0.3), y=_num(y), font_size=_num(small), fill=_TEXT_MUTED)}>{ring}</text>"
        )
    body.append(f'<g aria-hidden="true">{"".join(ring_text)}</g>')

    # Comparison series first, so that the organisation's own scores stay on top.
    for index in (2, 1, 0):
        values = series[index]
        if values is None or not n:
            continue
        body.append(f"<g>{''.join(_series_markup(values, angles, radius, _STYLES[index], marker_size))}</g>")

    # Axis labels, wrapped, with the organisation's score underneath.
    label_markup = []
    for i, angle in enumerate(angles):
        lines = textwrap.wrap(labels[i], width=wrap_at, break_long_words=False) or [""]
        score = series[0][i]
        score_line = not_evaluated if score is None else f"{format_score(score, **fmt)}/100"
        x, first, step, anchor = _label_block(angle, radius, [*lines, score_line], font)
        tspans = []
        for k, text in enumerate(lines):
            baseline = first + k * step
            extent.add_text(x, baseline, text, font, anchor)
            tspans.append(f"<tspan {_attrs(x=_num(x), y=_num(baseline))}>{escape(text)}</tspan>")
        baseline = first + len(lines) * step
        extent.add_text(x, baseline, score_line, font, anchor, bold=score is not None)
        score_attrs = (
            {"font_weight": "bold", "fill": _STYLES[0].stroke}
            if score is not None
            else {"font_style": "italic", "fill": _TEXT_MUTED}
        )
        tspans.append(f"<tspan {_attrs(x=_num(x), y=_num(baseline), **score_attrs)}>{escape(score_line)}</tspan>")
        label_markup.append(
            f"<text {_attrs(text_anchor=anchor, font_size=_num(font), fill=_TEXT)}>{''.join(tspans)}</text>"
        )
    body.append(f"<g>{''.join(label_markup)}</g>")

    # Legend, only when there is something to tell apart.
    shown = [(index, series_names[index]) for index in range(3) if series[index] is not None]
    if len(shown) > 1:
        top = extent.max_y + font * 1.2
        left = extent.min_x
        sample = font * 2.4
        legend = []
        for row, (index, name) in enumerate(shown):
            style = _STYLES[index]
            y = top + row * font * 1.6
            line = {
                "stroke": style.stroke,
                "stroke_width": style.stroke_width,
                "stroke_dasharray": style.dasharray,
            }
            legend.append(f"<line {_attrs(x1=_num(left), y1=_num(y), x2=_num(left + sample), y2=_num(y), **line)}/>")
            legend.append(_marker(style.marker, left + sample / 2, y, marker_size, style))
            text_x = left + sample + font * 0.5
            extent.add_text(text_x, y + font * 0.35, name, font, "start")
            legend.append(
                f"<text {_attrs(x=_num(text_x), y=_num(y + font * 0.35), font_size=_num(font), fill=_TEXT)}>"
                f"{escape(str(name))}</text>"
            )
        body.append(f"<g>{''.join(legend)}</g>")

    if desc is None:
        desc = _describe(labels, series, series_names, fmt)

    pad = font * 0.6
    min_x, min_y = extent.min_x - pad, extent.min_y - pad
    width, height = extent.max_x - extent.min_x + 2 * pad, extent.max_y - extent.min_y + 2 * pad
    scale = size / width
    title_id, desc_id = f"{id_prefix}-titre", f"{id_prefix}-description"
    svg_attrs = _attrs(
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"{_num(min_x)} {_num(min_y)} {_num(width)} {_num(height)}",
        width=_num(size),
        height=_num(height * scale),
        role="img",
        aria_labelledby=f"{title_id} {desc_id}",
        font_family=_FONT_FAMILY,
        class_=css_class,
    )
    return (
        f"<svg {svg_attrs}>"
        f'<title id="{escape(title_id)}">{escape(str(title))}</title>'
        f'<desc id="{escape(desc_id)}">{escape(str(desc))}</desc>'
        f"{''.join(body)}</svg>"
    )


def _describe(labels, series, series_names, fmt):
    """Every value in words, for screen readers (the <desc> element)."""
    parts = []
    for index, values in enumerate(series):
        if values is None:
            continue
        items = " ; ".join(
            f"{label} : {format_score(v, **fmt)}{'' if v is None else '/100'}"
            for label, v in zip(labels, values, strict=True)
        )
        parts.append(f"{series_names[index]} – {items}.")
    return " ".join(parts)
