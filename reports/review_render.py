"""The programme review's content (reports/review_content.py) → PDF bytes, through the same door as
every PDF of the application (reports.render.html_to_pdf: PDF/UA-1, ReportURLFetcher).

Each chart is the dashboard's own SVG (assett/charts.py), as an image whose text alternative sends
to the data table that follows it.
"""

import base64

from .render import document_html, html_to_pdf

WIDE_COLUMNS = 5  # beyond, a table's section is laid out on landscape pages (static/reports/review.css)


def _svg_uri(svg):
    return f"data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}"


def review_html(content):
    sections = []
    for section in content["sections"]:
        tables = [
            {
                **table,
                "chart_uri": _svg_uri(table["chart"]) if table["chart"] else "",
                "wide": len(table["headers"]) > WIDE_COLUMNS,
            }
            for table in section["tables"]
        ]
        sections.append({**section, "tables": tables, "wide": any(table["wide"] for table in tables)})
    return document_html("reports/review.html", content, review=content, sections=sections)


def render_review_pdf(content, fetcher=None):
    """The review's PDF; `fetcher` (a ReportURLFetcher) lets a caller see what was fetched."""
    return html_to_pdf(review_html(content), fetcher)
