"""A report's content (reports/content.py) → PDF bytes, with WeasyPrint.

PDF/UA-1: tagged (headings, lists, tables with their header cells), in French (`<html lang>`), titled
(`<title>`, shown as the window's title). The radar is the results page's own SVG
(referentiel.radar), as an image whose text alternative sends to the data table that follows it.
"""

import base64
import contextlib
import gc
import logging
from pathlib import PurePath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from assett.uploads import IMAGE_FORMATS, MAX_IMAGE_BYTES
from tenants.branding import HEX_COLOR

from .fetcher import REPORT_BASE_URL, ReportURLFetcher

logger = logging.getLogger(__name__)

DEFAULT_ACCENT = "#000091"  # Bleu France, when the territory has none (or one that is not a colour)
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".webp": "image/webp"}
assert set(IMAGE_TYPES) == set(IMAGE_FORMATS.values())


def logo_data_uri(name):
    """The territory's logo as a data: URI, read from its own media folder; "" when there is none.

    Only the extensions that the upload field stores (it checked the content then); a missing or
    oversized file renders the cover without it.
    """
    content_type = IMAGE_TYPES.get(PurePath(name).suffix.lower()) if name else None
    if content_type is None:
        return ""
    try:
        with default_storage.open(name, "rb") as file:
            data = file.read(MAX_IMAGE_BYTES + 1)
    except (OSError, ValueError, SuspiciousFileOperation):
        logger.warning("Report: logo %.200r unreadable", name)
        return ""
    if len(data) > MAX_IMAGE_BYTES:
        return ""
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def accent_color(value):
    """The territory's accent colour if it is one (#RRGGBB); it goes into a <style>, never anything else."""
    return value if value and HEX_COLOR.match(value) else DEFAULT_ACCENT


def document_html(template_name, content, **context):
    """The HTML of a PDF document whose template extends reports/base.html (the head, the stylesheets,
    the cover's band): the frame reads the language and the territory from `content`, the document's
    own blocks `context`."""
    territory = content["territory"]
    with translation.override(content["language"]):
        return render_to_string(
            template_name,
            {
                "language": content["language"],
                "territory": territory,
                "accent": accent_color(territory["accent_color"]),
                "logo": logo_data_uri(territory["logo"]),
                **context,
            },
        )


def report_html(content):
    radar = base64.b64encode(content["radar_svg"].encode()).decode()
    return document_html("reports/report.html", content, report=content, radar_uri=f"data:image/svg+xml;base64,{radar}")


@contextlib.contextmanager
def collector_paused():
    """Python's cyclic garbage collector off for the block (back as it was after).

    WeasyPrint builds a tree of some 200,000 boxes, styles and text layouts that all live until the
    PDF is written: every collection during a render walks them and frees nothing. They took a fifth
    of a 20-page report's render (~200 ms of ~1 s, gc.callbacks). Reference counting still frees the
    render's temporary objects; the cycles it leaves are collected once, after it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def html_to_pdf(html, fetcher=None):
    """A PDF/UA-1 document (tagged, with its language and title) from `html`, a template of ours.

    Every PDF of the application goes through here: the only fetcher is ReportURLFetcher (the
    application's static files and data: URIs), relative URLs resolve under REPORT_BASE_URL.
    `fetcher` lets a caller see what was fetched.
    """
    fetcher = fetcher or ReportURLFetcher()
    with collector_paused():
        document = HTML(string=html, base_url=REPORT_BASE_URL, url_fetcher=fetcher)
        return document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False)


def render_pdf(content, fetcher=None):
    """The PDF of `content`; `fetcher` (a ReportURLFetcher) lets a caller see what was fetched."""
    return html_to_pdf(report_html(content), fetcher)
