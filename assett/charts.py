"""Horizontal bar charts of the review, as inline SVG strings.

Pure, like referentiel/radar.py: plain data in, a string out, nothing from Django, every text
escaped here (which lets callers mark the result safe); presentation attributes only, no CSS and no
script (the site's Content-Security-Policy), so the same chart can go into a PDF.

Accessibility (RGAA): one image (role="img") named by its <title> and described by its <desc>,
which spells out every value; every bar carries its value as text, and the series of a grouped
chart differ by fill and outline, not by colour alone. The page shows the same figures as a table.
"""

from html import escape

_FONT = "Marianne, Arial, Helvetica, sans-serif"
_TEXT = "#161616"
_MUTED = "#555555"  # 7.4:1 on white
_GRID = "#cecece"
# Series: solid blue France, then white with a dark outline (told apart without colour).
_SERIES = (
    {"fill": "#000091", "stroke": "#000091"},
    {"fill": "#ffffff", "stroke": "#161616"},
)
_CHAR = 0.56  # average advance of a character, in font sizes (to size the label column)


def _num(x):
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attrs(**attributes):
    return " ".join(
        f'{name.rstrip("_").replace("_", "-")}="{escape(str(value), quote=True)}"'
        for name, value in attributes.items()
        if value is not None
    )


def bar_chart(
    title,
    rows,
    series_names,
    *,
    maximum=None,
    value_text=str,
    hidden_text="non affiché",
    id_prefix="barres",
    width=760,
):
    """`rows`: [(label, [value or None per series])]; None is a hidden or missing figure, said as
    `hidden_text` in place of its bar. `maximum`: the scale's end (100 for scores); by default the
    largest value. `value_text` formats a value (French decimals are the caller's)."""
    series_count = len(series_names)
    values = [v for _label, row in rows for v in row if v is not None]
    top = maximum if maximum is not None else max(values, default=0) or 1
    font = 13
    bar = 16
    gap = 4
    row_gap = 12
    label_width = min(260, max((len(str(label)) for label, _row in rows), default=10) * font * _CHAR + 8)
    value_room = 8 * font * _CHAR  # a value's text after the longest bar (a hidden one is written inside)
    plot = max(width - label_width - value_room, len(hidden_text) * font * _CHAR + 8)
    legend = 24 if series_count > 1 else 0
    row_height = series_count * bar + (series_count - 1) * gap + row_gap
    height = legend + len(rows) * row_height + 8
    body = []
    if series_count > 1:
        x = label_width
        for index, name in enumerate(series_names):
            style = _SERIES[index % len(_SERIES)]
            body.append(
                f"<rect {_attrs(x=_num(x), y=4, width=14, height=14, fill=style['fill'], stroke=style['stroke'])}/>"
            )
            body.append(f"<text {_attrs(x=_num(x + 20), y=16, font_size=font, fill=_TEXT)}>{escape(str(name))}</text>")
            x += 20 + len(str(name)) * font * _CHAR + 24
    grid = []
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        x = label_width + plot * fraction
        grid.append(f"<line {_attrs(x1=_num(x), y1=legend, x2=_num(x), y2=_num(height - 8), stroke=_GRID)}/>")
    body.insert(0, f'<g aria-hidden="true">{"".join(grid)}</g>')
    for row_index, (label, row) in enumerate(rows):
        y = legend + row_index * row_height + row_gap / 2
        middle = y + (series_count * bar + (series_count - 1) * gap) / 2
        label_attrs = _attrs(
            x=_num(label_width - 8), y=_num(middle + font * 0.35), text_anchor="end", font_size=font, fill=_TEXT
        )
        body.append(f"<text {label_attrs}>{escape(_short(str(label), label_width, font))}</text>")
        for index, value in enumerate(row):
            style = _SERIES[index % len(_SERIES)]
            bar_y = y + index * (bar + gap)
            text_y = _num(bar_y + bar / 2 + font * 0.35)
            if value is None:
                hidden_attrs = _attrs(
                    x=_num(label_width + 4), y=text_y, font_size=font, font_style="italic", fill=_MUTED
                )
                body.append(f"<text {hidden_attrs}>{escape(hidden_text)}</text>")
                continue
            length = plot * max(min(value / top, 1), 0)
            rect = _attrs(
                x=_num(label_width),
                y=_num(bar_y),
                width=_num(max(length, 1)),
                height=bar,
                fill=style["fill"],
                stroke=style["stroke"],
            )
            body.append(f"<rect {rect}/>")
            body.append(
                f"<text {_attrs(x=_num(label_width + length + 6), y=text_y, font_size=font, fill=_TEXT)}>"
                f"{escape(value_text(value))}</text>"
            )
    desc = _describe(rows, series_names, value_text, hidden_text)
    title_id, desc_id = f"{id_prefix}-titre", f"{id_prefix}-description"
    svg = _attrs(
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {width} {_num(height)}",
        width=width,
        height=_num(height),
        role="img",
        aria_labelledby=f"{title_id} {desc_id}",
        font_family=_FONT,
        class_="review-chart",
    )
    return (
        f"<svg {svg}>"
        f'<title id="{escape(title_id)}">{escape(str(title))}</title>'
        f'<desc id="{escape(desc_id)}">{escape(desc)}</desc>'
        f"{''.join(body)}</svg>"
    )


def _short(label, room, font):
    """A label cut to its column, with « … »; the <desc> and the table keep it whole."""
    most = int(room / (font * _CHAR)) - 1
    return label if len(label) <= most else label[: max(most - 1, 1)].rstrip() + "…"


def _describe(rows, series_names, value_text, hidden_text):
    parts = []
    for label, row in rows:
        values = ", ".join(
            f"{name} : {hidden_text if value is None else value_text(value)}"
            for name, value in zip(series_names, row, strict=True)
        )
        parts.append(f"{label} – {values}")
    return " ; ".join(parts) + "." if parts else ""
