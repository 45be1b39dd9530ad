"""The review's bar charts (assett/charts.py): labels above their bars, within the chart's width,
every value said, every text escaped."""

import xml.etree.ElementTree as ET

import pytest

from assett.charts import bar_chart

SVG = "{http://www.w3.org/2000/svg}"
ROWS = [
    ("Organisations inscrites", [40]),
    ("Ont commencé une auto-évaluation", [30]),
    ("Se sont réévaluées", [None]),
]


def parse(markup):
    return ET.fromstring(markup)  # noqa: S314 (markup this test made)


def texts(svg):
    return [(element.text, float(element.get("x")), float(element.get("y"))) for element in svg.iter(f"{SVG}text")]


def bars(svg):
    return [
        (float(rect.get("x")), float(rect.get("y")), float(rect.get("width")))
        for rect in svg.iter(f"{SVG}rect")
        if float(rect.get("height")) == 16
    ]


def test_each_label_stands_above_its_bar_at_the_left_edge():
    svg = parse(bar_chart("Parcours", ROWS, ["Organisations"], hidden_text="moins de 5"))
    labels = {text: (x, y) for text, x, y in texts(svg)}
    (first_x, first_y, _w), (second_x, second_y, _w2) = bars(svg)

    assert labels["Organisations inscrites"] == (0, labels["Organisations inscrites"][1])
    assert labels["Organisations inscrites"][1] < first_y < labels["Ont commencé une auto-évaluation"][1] < second_y
    assert first_x == second_x == 1  # the bars start from the left edge, not after a column of labels


def test_bars_are_proportional_and_everything_keeps_to_the_width():
    svg = parse(bar_chart("Parcours", ROWS, ["Organisations"], width=400))
    (_x, _y, longest), (_x2, _y2, shorter) = bars(svg)

    assert shorter / longest == pytest.approx(30 / 40, abs=0.001)
    assert svg.get("viewBox").startswith("0 0 400 ")
    for text, x, _y in texts(svg):
        assert x + len(text) * 14 * 0.56 <= 400, text  # a label or a value written past the edge


def test_a_hidden_figure_is_said_in_place_of_its_bar_and_in_the_description():
    svg = parse(bar_chart("Parcours", ROWS, ["Organisations"], hidden_text="moins de 5 organisations"))

    assert len(bars(svg)) == 2
    assert "moins de 5 organisations" in [text for text, _x, _y in texts(svg)]
    assert "Se sont réévaluées – Organisations : moins de 5 organisations" in svg.find(f"{SVG}desc").text


def test_the_legend_of_two_series_goes_to_a_second_line_when_the_first_is_full():
    names = ["Première auto-évaluation de l'organisation", "Dernière auto-évaluation de l'organisation"]
    svg = parse(bar_chart("Scores", [("Énergie", [30, 45])], names, maximum=100))
    legend = [(x, y) for text, x, y in texts(svg) if text in names]

    assert legend[1][1] > legend[0][1]  # below the first, not past the edge
    assert legend[1][0] == legend[0][0]


def test_every_text_is_escaped():
    markup = bar_chart("<b>titre</b>", [("<script>alert(1)</script>", [3])], ["A & B"])

    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup
    assert parse(markup).find(f"{SVG}title").text == "<b>titre</b>"
