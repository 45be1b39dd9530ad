"""Hostile content through every user-editable field that reaches the PDF: escaped, and nothing fetched.

Each field gets markup that would make WeasyPrint read a local file, the cloud metadata address, the
Redis port or a local server if it reached the document as HTML. A local listening socket must see no
connection, the fetcher (which records its calls) must be asked for the report's stylesheet, fonts and
data: URIs only, and neither /etc/passwd nor any attachment may end up in the PDF. A second test gives
WeasyPrint the raw markup itself (as if escaping had failed): the fetcher alone must then refuse it all.
"""

import io
import socket
import threading

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from referentiel import structure
from referentiel.models import Choice, MaturityLevel, Question, Theme
from reports.content import report_content
from reports.fetcher import REPORT_BASE_URL, ReportURLFetcher
from reports.render import render_pdf, report_html
from toolbox.models import Action, ActionQuestion, PlanItem

from ..toolbox.factories import ActionFactory, ActionQuestionFactory, PlanItemFactory, PlanNoteFactory
from .helpers import flat, pdf_text, report_world


class ListeningSocket:
    """A TCP server on a free local port that only counts the connections it receives."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                connection, _address = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            connection.close()

    def close(self):
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener():
    server = ListeningSocket()
    yield server
    server.close()


def payload(port):
    """Markup that, rendered as HTML, would fetch each forbidden target (and attach one)."""
    return (
        f'<img src="file:///etc/passwd"><img src="http://169.254.169.254/latest/meta-data/">'
        f'<img src="http://127.0.0.1:{port}/img.png"><link rel="attachment" href="file:///etc/passwd">'
        f'<a rel="attachment" href="http://localhost:6379/">x</a>'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">'
        f"<style>@import url(http://127.0.0.1:{port}/i.css); body {{ background: url(file:///etc/passwd) }}</style>"
        f'<svg><image href="http://127.0.0.1:{port}/svg.png"/></svg><script>alert(1)</script>'
    )


def markdown_payload(port):
    return (
        f"![image](http://127.0.0.1:{port}/md.png) [lien](file:///etc/passwd) "
        f"[redis](http://localhost:6379/) <img src='http://169.254.169.254/'>\n\n"
        f'<a rel="attachment" href="http://127.0.0.1:{port}/a">pièce jointe</a>'
    )


@pytest.fixture
def hostile_world(in_a, listener, territory_a):
    """Every field of the report set to the payload, in the test's transaction (rolled back)."""
    bad = payload(listener.port)
    PlanItem.objects.all().delete()
    ActionQuestion.objects.all().delete()
    Action.objects.all().delete()
    member, organisation, assessment = report_world(name=f"Org {bad}"[:200], comment=bad)
    version = assessment.version
    Theme.objects.filter(version=version).update(title=f"Thème {bad}"[:200], description=bad)
    Question.objects.filter(theme__version=version).update(text=f"Question {bad}")
    Choice.objects.filter(question__theme__version=version).update(label=f"Choix {bad}")
    MaturityLevel.objects.filter(version=version).update(name=f"Niveau {bad}"[:80], description=bad)
    structure._cache.clear()  # the published version's structure is kept per process
    action = ActionFactory(code="MOB-X01", main_theme="MOB", title=f"Action {bad}"[:200], promise=bad[:300])
    ActionQuestionFactory(action=action, question_code="MOB-01", up_to_step=3)
    item = PlanItemFactory(organisation=organisation, action=None, title=f"Plan {bad}"[:200], description=bad)
    PlanNoteFactory(item=item, author=member, text=f"Note {bad}")
    fields = ("presentation", "accent_color", "programme_name")
    original = {name: getattr(territory_a, name) for name in fields} | {"logo": territory_a.logo.name}
    territory_a.presentation = markdown_payload(listener.port)
    territory_a.accent_color = "red;}a{"  # seven characters at most; the form would refuse it
    territory_a.logo.name = "../../../../etc/passwd.png"
    territory_a.programme_name = f"Programme {bad}"[:200]
    territory_a.save()
    yield assessment
    structure._cache.clear()
    # The row goes back with the transaction; the session's Territory object must too.
    for name in fields:
        setattr(territory_a, name, original[name])
    territory_a.logo.name = original["logo"]


def test_hostile_fields_are_escaped_and_nothing_is_fetched(hostile_world, listener):
    content = report_content(hostile_world)
    # Every field did reach the report's content.
    text_of_content = str(content)
    for marker in ("Org <img", "Thème <img", "Question <img", "Choix <img", "Niveau <img", "Action <img", "Plan <img"):
        assert marker in text_of_content, marker
    assert "Note <img" in text_of_content and "Programme <img" in text_of_content

    html = report_html(content)
    assert '<img src="file:' not in html and "<script>" not in html and '<a rel="attachment"' not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    assert "<style>:root { --accent: #000091; }</style>" in html  # the accent colour fell back

    fetcher = ReportURLFetcher()
    pdf = render_pdf(content, fetcher)

    assert listener.connections == 0
    allowed = (REPORT_BASE_URL + "static/", "data:")
    assert all(url.startswith(allowed) for url in fetcher.calls), fetcher.calls
    text = flat(pdf_text(pdf))
    assert "root:x:0:0" not in text
    assert '<img src="file:///etc/passwd">' in text  # shown as text, as typed
    reader = PdfReader(io.BytesIO(pdf))
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    assert b"/EmbeddedFile" not in pdf and b"root:x:0:0" not in pdf


def test_the_fetcher_alone_refuses_files_the_network_and_attachments(listener):
    """As if the markup had reached the document unescaped: WeasyPrint asks, the fetcher refuses."""
    fetcher = ReportURLFetcher()
    document = HTML(
        string=f"<html lang='fr'><title>t</title><body><p>texte</p>{payload(listener.port)}</body></html>",
        base_url=REPORT_BASE_URL,
        url_fetcher=fetcher,
    )
    pdf = document.write_pdf()

    assert listener.connections == 0
    assert any(url.startswith("file:///etc/passwd") for url in fetcher.calls)  # asked, and refused
    assert any("169.254.169.254" in url for url in fetcher.calls)
    assert b"root:x:0:0" not in pdf and b"/EmbeddedFile" not in pdf


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:6379/",
        "https://rapport.invalid/static/../../../../etc/passwd",
        "https://rapport.invalid/static/%2e%2e/%2e%2e/etc/passwd.css",
        "https://rapport.invalid/static/reports/report.css?x=http://127.0.0.1/",
        "https://rapport.invalid/media/branding/logo.png",
        "https://rapport.invalid/static/js/questionnaire.js",
        "ftp://127.0.0.1/x",
        "https://rapport.invalid.attacker.example/static/reports/report.css",
    ],
)
def test_fetcher_refuses(url):
    with pytest.raises(ValueError):
        ReportURLFetcher().fetch(url)


def test_fetcher_serves_its_static_files_and_data_uris():
    fetcher = ReportURLFetcher()
    css = fetcher.fetch(REPORT_BASE_URL + "static/reports/page.css")
    assert b"@page" in css.read() and css.content_type == "text/css"
    assert fetcher.fetch("data:text/plain;base64,Ym9uam91cg==").read() == b"bonjour"
    assert fetcher.fetch("data:,caf%C3%A9").read() == "café".encode()
