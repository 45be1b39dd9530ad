"""The PDF itself: rendered by the real WeasyPrint, parsed back with pypdf."""

import gc
import html
import io
import re

import pytest
from pypdf import PdfReader

from referentiel.results import delta_points_text
from referentiel.structure import structure_for
from reports.content import content_hash, report_content
from reports.fetcher import ReportURLFetcher
from reports.render import collector_paused, render_pdf, report_html

from .helpers import flat, pdf_text, report_world


@pytest.fixture
def world(in_a):
    return report_world()


def test_pdf_names_the_organisation_every_theme_and_its_score(world):
    _member, organisation, assessment = world
    content = report_content(assessment)
    fetcher = ReportURLFetcher()
    pdf = render_pdf(content, fetcher)
    text = flat(pdf_text(pdf))

    assert organisation.name in text
    structure = structure_for(assessment.version)
    scores = assessment.theme_scores
    for theme in structure.themes:
        assert theme.title in text
        score = scores[theme.code]["score"]
        shown = f"{float(score):.1f}".rstrip("0").rstrip(".").replace(".", ",")
        assert f"Score : {shown}/100" in text, theme.code
    assert "Chaudière changée en 2024." in text  # the comments
    assert "Installer des LED" in text and "Devis signé avec l'électricien." in text  # the plan and its notes
    assert "Sommaire" in text and "Page 2 sur" in text
    # Only the stylesheets, their fonts and the data: URIs (the radar) were fetched.
    assert all(url.startswith(("https://rapport.invalid/static/", "data:")) for url in fetcher.calls), fetcher.calls
    # The shared frame (page.css), then the document's own stylesheet.
    stylesheets = [url.rsplit("/", 1)[-1] for url in fetcher.calls if url.endswith(".css")]
    assert stylesheets == ["page.css", "report.css"], stylesheets


def test_pdf_is_tagged_in_french_with_its_title(world):
    _member, organisation, assessment = world
    reader = PdfReader(io.BytesIO(render_pdf(report_content(assessment))))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert organisation.name in reader.metadata.title
    assert "pdfuaid:part" in root["/Metadata"].get_object().get_data().decode()


def test_the_table_of_contents_gives_the_page_of_every_section_and_theme(world):
    _member, _organisation, assessment = world
    content = report_content(assessment)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(content))).pages]
    toc = pages[1].splitlines()
    assert toc[0] == "Sommaire"
    entries = {}
    for line in toc[1:]:
        title, leader, number = line.partition(" . . .")
        if leader:  # the dotted leader between a title and its page number; then the page's footer
            entries[title] = int(number.rpartition(" ")[2])
    sections = ["Résumé", "Vue d'ensemble par thème", "Résultats thème par thème", "Plan d'actions"]
    themes = [theme["title"] for theme in content["themes"]]
    assert set(sections + themes) <= set(entries), entries
    for title in sections:  # each section starts a page
        assert pages[entries[title] - 1].startswith(title), title
    for title in themes:
        assert title in pages[entries[title] - 1], title


def embedded_fonts(pdf):
    """{font name: whether its file is embedded} over every page's resources."""
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


def test_pdf_embeds_the_marianne_faces_it_uses(world):
    _member, _organisation, assessment = world
    fetcher = ReportURLFetcher()
    fonts = embedded_fonts(render_pdf(report_content(assessment), fetcher))
    # The three faces were read (a face refused or missing would be synthesised from another one,
    # under the same PDF name), and embedded as subsets (« /ABCDEF+Marianne-Bold »). The radar, an SVG
    # image, draws its labels with the system's sans-serif: the page's @font-face does not reach it.
    for face in ("Marianne-Regular.woff2", "Marianne-Regular_Italic.woff2", "Marianne-Bold.woff2"):
        assert f"https://rapport.invalid/static/dsfr/dist/fonts/{face}" in fetcher.calls, face
    names = {name.split("+", 1)[-1] for name in fonts}
    assert {"Marianne", "Marianne-Bold", "Marianne-Italic"} <= names, fonts
    assert all(fonts.values()), fonts


class CollectorWatchingFetcher(ReportURLFetcher):
    """Notes, at each fetch (WeasyPrint fetches while it renders), whether the collector runs."""

    def fetch(self, url, headers=None):
        self.collector_on = getattr(self, "collector_on", []) + [gc.isenabled()]
        return super().fetch(url, headers)


def test_the_collector_is_paused_while_rendering_and_back_after(world):
    _member, _organisation, assessment = world
    fetcher = CollectorWatchingFetcher()
    assert gc.isenabled()
    render_pdf(report_content(assessment), fetcher)
    assert fetcher.collector_on and not any(fetcher.collector_on)
    assert gc.isenabled()
    gc.disable()  # a caller that had it off keeps it off
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_same_content_same_hash_and_a_change_changes_it(world):
    _member, organisation, assessment = world
    first = content_hash(report_content(assessment))
    assert content_hash(report_content(assessment)) == first
    organisation.name = "Boulangerie du Clain et fils"
    organisation.save(update_fields=["name"])
    assessment.refresh_from_db()
    assert content_hash(report_content(assessment)) != first


def test_the_next_events_are_in_the_pdf_with_who_of_the_organisation_is_registered(world):
    from events.models import Registration
    from tests.events.factories import EventFactory

    member, organisation, assessment = world
    registered = EventFactory(title="Atelier mobilité durable", place="Maison de l'économie")
    Registration.objects.create(event=registered, user=member, organisation=organisation, status="confirmed")
    EventFactory(title="Rencontre des acteurs engagés")
    EventFactory(title="Brouillon de rencontre", status="draft")

    content = report_content(assessment)
    text = flat(pdf_text(render_pdf(content)))

    assert [event["title"] for event in content["events"]] == [
        "Atelier mobilité durable",
        "Rencontre des acteurs engagés",
    ]
    assert "Prochains événements" in text and "Atelier mobilité durable" in text
    assert f"Inscrits de votre organisation : {member.display_name}" in text
    assert f"/evenements/{registered.pk}/" in text
    assert "Brouillon de rencontre" not in text


def test_an_answer_of_several_choices_is_a_list_and_priorities_read_in_lower_case(world):
    from reports.render import report_html

    _member, _organisation, assessment = world
    content = report_content(assessment)
    question = content["themes"][0]["questions"][0]
    question["answer"] = ["Un référent est désigné.", "Un comité se réunit."]
    html = report_html(content)

    assert "<li>Un référent est désigné.</li><li>Un comité se réunit.</li>" in html
    assert "désigné. ; " not in html
    priority = content["plan"][0]["items"][0]["priority"]  # « Haute », « Normale »…
    assert f"priorité {priority.lower()}" in html and f"priorité {priority}" not in html


def test_the_report_s_counts_agree_with_their_words(world):
    _member, _organisation, assessment = world
    content = report_content(assessment)
    first, second = content["themes"][:2]
    first["answered"], second["answered"] = 1, 2
    content["progress"] = {
        "date": "3 décembre 2025",
        "before": "47",
        "after": "48",
        "delta": delta_points_text(1),
        "themes": [],
    }

    text = flat(html.unescape(re.sub(r"<[^>]+>", " ", report_html(content))))

    assert f"1 question répondue sur {first['applicable']}" in text
    assert f"2 questions répondues sur {second['applicable']}" in text
    assert "Évolution : +1 point." in text
