"""Markdown written by staff (toolbox actions, events, a territory's presentation), made safe to show.

markdown-it-py renders CommonMark with raw HTML switched off, then nh3 (the ammonia sanitiser) keeps
only an allow-list of tags, attributes and URL schemes: whatever an author types, no script, event
handler, style or `javascript:` link reaches a page or a PDF. Both steps, because either alone has a
gap: a Markdown link can carry any scheme, and a sanitiser alone would let an author's HTML through.

    {% load markdown %}{{ action.body|markdown }}
"""

import nh3
from django import template
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

register = template.Library()

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# "commonmark" with tables; html=False turns an author's raw HTML into text.
_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def _demote_headings(html):
    # A body sits under the page's own h1/h2: its « # Titre » must not compete with them.
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    return html


def render_markdown(text):
    """Safe HTML for `text` (Markdown)."""
    if not text:
        return mark_safe("")
    html = _demote_headings(_parser.render(text))
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308  (sanitised by nh3 just above)


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)
