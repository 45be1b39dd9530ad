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
    width=400,
):
    """`rows`: [(label, [value or None per series])]; None is a hidden or missing figure, said as
    `hidden_text` in place of its bar. `maximum`: the scale's end (100 for scores); by default the
    largest value. `value_text` formats a value (French decimals are the caller's).

    Each label is written above its bars, so that the bars take the whole width: at 400 units the
    chart fits a phone (the page lets it shrink to its column, static/css/assett.css) with its
    text still read at 12 px or more."""
    series_count = len(series_names)
    values = [v for _label, row in rows for v in row if v is not None]
    top = maximum if maximum is not None else max(values, default=0) or 1
    font = 14
    bar = 16
    gap = 4
    label_height = font + 6
    row_gap = 14
    value_room = 8 * font * _CHAR  # a value's text after the longest bar (a hidden one is written inside)
    plot = width - value_room
    body, legend = _legend(series_names, width, font) if series_count > 1 else ([], 0)
    bars_height = series_count * bar + (series_count - 1) * gap
    row_height = label_height + bars_height + row_gap
    height = legend + len(rows) * row_height
    # The axis the bars start from, under every row.
    body.insert(
        0, f'<line aria-hidden="true" {_attrs(x1=0.5, y1=legend, x2=0.5, y2=_num(height - row_gap), stroke=_GRID)}/>'
    )
    for row_index, (label, row) in enumerate(rows):
        y = legend + row_index * row_height
        label_attrs = _attrs(x=0, y=_num(y + font), font_size=font, fill=_TEXT)
        body.append(f"<text {label_attrs}>{escape(_short(str(label), width, font))}</text>")
        for index, value in enumerate(row):
            style = _SERIES[index % len(_SERIES)]
            bar_y = y + label_height + index * (bar + gap)
            text_y = _num(bar_y + bar / 2 + font * 0.35)
            if value is None:
                hidden_attrs = _attrs(x=4, y=text_y, font_size=font, font_style="italic", fill=_MUTED)
                body.append(f"<text {hidden_attrs}>{escape(hidden_text)}</text>")
                continue
            length = plot * max(min(value / top, 1), 0)
            rect = _attrs(
                x=1, y=_num(bar_y), width=_num(max(length, 1)), height=bar, fill=style["fill"], stroke=style["stroke"]
            )
            body.append(f"<rect {rect}/>")
            body.append(
                f"<text {_attrs(x=_num(length + 7), y=text_y, font_size=font, fill=_TEXT)}>"
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


def _legend(series_names, width, font):
    """The series' swatches and names, in lines that keep to `width`: (markup, height)."""
    items, x, line = [], 0, 0
    for index, name in enumerate(series_names):
        style = _SERIES[index % len(_SERIES)]
        item_width = 20 + len(str(name)) * font * _CHAR
        if x and x + item_width > width:
            x, line = 0, line + 1
        y = line * 24
        swatch = _attrs(x=_num(x + 1), y=y + 4, width=14, height=14, fill=style["fill"], stroke=style["stroke"])
        items.append(f"<rect {swatch}/>")
        items.append(f"<text {_attrs(x=_num(x + 21), y=y + 16, font_size=font, fill=_TEXT)}>{escape(str(name))}</text>")
        x += item_width + 24
    return items, (line + 1) * 24 + 8


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
