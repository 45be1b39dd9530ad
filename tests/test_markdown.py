"""Staff-written Markdown reaches pages with nothing executable (assett/markdown.py)."""

from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from assett.markdown import render_markdown


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[clic](javascript:alert(1))",
        "[clic](JaVaScRiPt:alert(1))",
        "[clic](  javascript:alert(1))",
        "[clic](data:text/html;base64,PHNjcmlwdD4=)",
        "![image](javascript:alert(1))",
        '<a href="javascript:alert(1)">lien</a>',
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<iframe src=//evil.example></iframe>",
        '<svg onload="alert(1)"></svg>',
    ],
)
def test_nothing_executable_survives(source):
    """Parsed as a browser would: only allowed elements, no handler or style, links only to safe schemes.

    (The source may still show as escaped text, which is harmless.)"""
    elements = _elements(render_markdown(source))
    for tag, attributes in elements:
        assert tag in {"p", "a", "em", "strong", "code"}, tag
        for name, value in attributes:
            assert name in {"href", "rel", "title"}, name
            if name == "href":
                assert value.split(":", 1)[0].strip().lower() in {"http", "https", "mailto", "tel"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))


def _elements(html):
    collector = _Collector()
    collector.feed(html)
    return collector.elements


def test_raw_html_is_shown_as_text_not_interpreted():
    assert "&lt;b&gt;gras&lt;/b&gt;" in render_markdown("<b>gras</b>")


def test_markdown_is_rendered():
    html = render_markdown("# Titre\n\nUn **mot** et [un lien](https://www.ademe.fr).\n\n- un\n- deux")
    assert "<h3>Titre</h3>" in html
    assert "<strong>mot</strong>" in html
    assert '<a href="https://www.ademe.fr" rel="noopener noreferrer">un lien</a>' in html
    assert "<li>un</li>" in html


def test_the_template_filter_marks_its_output_safe():
    html = Template("{% load markdown %}{{ body|markdown }}").render(Context({"body": "*é* <i>x</i>"}))
    assert html.strip() == "<p><em>é</em> &lt;i&gt;x&lt;/i&gt;</p>"


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""
