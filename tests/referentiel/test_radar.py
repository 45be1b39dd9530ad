"""The radar chart is a pure function: plain data in, an SVG string out."""

import math
import re
import xml.etree.ElementTree as ET

import pytest

from referentiel.radar import RINGS, format_score, radar_svg

NS = "{http://www.w3.org/2000/svg}"

SEVEN = [
    ("Pilotage de la performance environnementale", 42.5),
    ("Énergie", 68),
    ("Déchets et économie circulaire", 55),
    ("Mobilité", 12),
    ("Alimentation durable", 40),
    ("Eau", 80),
    ("Biodiversité", 30),
]


def parse(svg):
    # Our own output, parsed to prove it is well-formed XML.
    return ET.fromstring(svg)  # noqa: S314


def texts(root):
    return ["".join(el.itertext()) for el in root.iter(f"{NS}tspan")] + [
        el.text for el in root.iter(f"{NS}text") if el.text
    ]


def series_groups(root):
    """Groups holding a data series: the ones with markers."""
    return [g for g in root.iter(f"{NS}g") if g.find(f"{NS}circle") is not None or g.find(f"{NS}rect") is not None]


def test_chart_is_an_image_named_by_its_title_and_described_with_every_value():
    root = parse(radar_svg(SEVEN, title="Score par thème", id_prefix="resultats"))

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "resultats-titre resultats-description"
    title = root.find(f"{NS}title")
    desc = root.find(f"{NS}desc")
    assert (title.get("id"), title.text) == ("resultats-titre", "Score par thème")
    assert desc.get("id") == "resultats-description"
    for label, score in SEVEN:
        assert f"{label} : {format_score(score)}/100" in desc.text


def test_labels_are_escaped():
    svg = radar_svg([("<script>alert(1)</script> & co", 50), ("B", 20), ("C", 70)])

    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in svg
    parse(svg)  # still well-formed XML


def test_no_inline_style_nor_script_so_the_csp_allows_it():
    svg = radar_svg(SEVEN, previous=[10] * 7, average=[50] * 7)

    assert "style=" not in svg
    assert "<script" not in svg
    assert "<style" not in svg
    assert "href" not in svg  # self-contained: nothing external for WeasyPrint to fetch


def test_rings_at_25_50_75_100_are_drawn_and_labelled():
    root = parse(radar_svg(SEVEN))

    grid = root.find(f"{NS}g")
    rings = [p for p in grid.iter(f"{NS}polygon")]
    assert len(rings) == len(RINGS) == 4
    ring_labels = [el.text for el in root.iter(f"{NS}text") if el.text]
    assert ring_labels == ["25", "50", "75", "100"]
    # Each ring is a heptagon, each one further out.
    radii = [abs(float(p.get("points").split()[0].split(",")[1])) for p in rings]
    assert radii == sorted(radii)
    assert radii[0] * 4 == pytest.approx(radii[3], abs=0.05)


def test_long_axis_labels_are_wrapped_onto_lines():
    root = parse(radar_svg(SEVEN, wrap_at=16))

    lines = texts(root)
    assert "Pilotage de la" in lines
    assert "performance" in lines
    assert "environnementale" in lines
    assert "Pilotage de la performance environnementale" not in lines


def test_each_axis_shows_the_score_under_its_label():
    lines = texts(parse(radar_svg(SEVEN)))

    assert "42,5/100" in lines
    assert "68/100" in lines


def points_of(marker_group):
    return [(float(c.get("cx")), float(c.get("cy"))) for c in marker_group.iter(f"{NS}circle")]


def test_points_sit_at_their_score_along_their_axis():
    root = parse(radar_svg([("Haut", 100), ("Droite bas", 50), ("Gauche bas", 0)], size=400))
    [group] = series_groups(root)
    (x0, y0), (x1, y1), (x2, y2) = points_of(group)

    radius = abs(y0)  # score 100 on the top axis: on the outer ring
    assert x0 == pytest.approx(0, abs=0.01)
    assert y0 < 0
    assert math.hypot(x1, y1) == pytest.approx(radius / 2, abs=0.02)
    assert (x2, y2) == pytest.approx((0, 0), abs=0.01)
    # The outer ring passes through the 100 point.
    outer = root.find(f"{NS}g").findall(f"{NS}polygon")[-1]
    top_x, top_y = map(float, outer.get("points").split()[0].split(","))
    assert (top_x, top_y) == pytest.approx((x0, y0), abs=0.01)


def test_complete_series_is_a_closed_outline():
    root = parse(radar_svg(SEVEN))
    [group] = series_groups(root)

    outlines = [p for p in group.findall(f"{NS}polygon") if p.get("fill") == "none"]
    assert len(outlines) == 1
    assert len(outlines[0].get("points").split()) == 7
    assert group.findall(f"{NS}polyline") == []


def test_not_evaluated_axis_breaks_the_outline_and_says_so():
    axes = [*SEVEN[:4], ("Alimentation durable", None), *SEVEN[5:]]
    root = parse(radar_svg(axes))
    [group] = series_groups(root)

    # No closed outline: the line stops on each side of the missing axis.
    assert [p for p in group.findall(f"{NS}polygon") if p.get("fill") == "none"] == []
    [run] = group.findall(f"{NS}polyline")
    assert len(run.get("points").split()) == 6  # Eau → ... → Mobilité, around the top
    assert len(points_of(group)) == 6
    assert "non évalué" in texts(root)
    dashed_axes = [line for line in root.find(f"{NS}g").iter(f"{NS}line") if line.get("stroke-dasharray")]
    assert len(dashed_axes) == 1


def test_two_separate_gaps_give_two_runs():
    axes = [("A", 10), ("B", None), ("C", 30), ("D", 40), ("E", None), ("F", 60)]
    [group] = series_groups(parse(radar_svg(axes)))

    runs = sorted(len(p.get("points").split()) for p in group.findall(f"{NS}polyline"))
    assert runs == [2, 2]  # C–D and F–A


def test_comparison_series_are_told_apart_by_pattern_and_legend():
    root = parse(
        radar_svg(
            SEVEN,
            previous=[30, 60, 50, 20, None, 70, 10],
            average=[45, 50, 48, 35, 40, 55, 38],
            series_names=("Cette fois", "La dernière fois", "Moyenne des entreprises"),
        )
    )

    lines = texts(root)
    for name in ("Cette fois", "La dernière fois", "Moyenne des entreprises"):
        assert name in lines
    outlines = [el for el in root.iter() if el.get("stroke-linejoin") == "round"]
    assert {el.get("stroke-dasharray") for el in outlines} == {None, "7 4", "2 3"}
    assert len({el.get("stroke") for el in outlines}) == 3
    desc = root.find(f"{NS}desc").text
    assert "La dernière fois – " in desc
    assert "Moyenne des entreprises – " in desc


def test_single_series_has_no_legend():
    lines = texts(parse(radar_svg(SEVEN, series_names=("Cette fois", "Avant", "Moyenne"))))

    assert "Cette fois" not in lines


def test_comparison_series_needs_one_value_per_axis():
    with pytest.raises(ValueError, match="one value per axis"):
        radar_svg(SEVEN, previous=[10, 20])


def test_scores_outside_0_100_are_clamped():
    root = parse(radar_svg([("A", 150), ("B", -20), ("C", 50)]))
    [group] = series_groups(root)
    (x0, y0), (x1, y1), _ = points_of(group)

    outer = root.find(f"{NS}g").findall(f"{NS}polygon")[-1]
    top = float(outer.get("points").split()[0].split(",")[1])
    assert y0 == pytest.approx(top, abs=0.01)
    assert (x1, y1) == pytest.approx((0, 0), abs=0.01)


def test_the_view_box_holds_every_label():
    svg = radar_svg(SEVEN, size=480)
    root = parse(svg)
    min_x, min_y, width, height = map(float, root.get("viewBox").split())

    for tspan in root.iter(f"{NS}tspan"):
        x, y = float(tspan.get("x")), float(tspan.get("y"))
        assert min_x <= x <= min_x + width
        assert min_y <= y <= min_y + height
    assert root.get("width") == "480"
    assert float(root.get("height")) == pytest.approx(480 * height / width, abs=0.01)


def test_empty_chart_is_still_a_valid_described_image():
    root = parse(radar_svg([], desc="Aucun thème."))

    assert root.get("role") == "img"
    assert root.find(f"{NS}desc").text == "Aucun thème."


def test_css_class_and_sizes_are_attributes():
    svg = radar_svg(SEVEN, css_class="fr-responsive-img", size=600)

    assert re.search(r'class="fr-responsive-img"', svg)
    assert 'width="600"' in svg


@pytest.mark.parametrize(
    ("score", "text"),
    [(42.0, "42"), (42.5, "42,5"), (0, "0"), (100, "100"), (66.66, "66,7"), (None, "non évalué")],
)
def test_scores_are_written_the_french_way(score, text):
    assert format_score(score) == text
