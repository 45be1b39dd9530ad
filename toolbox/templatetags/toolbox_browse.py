"""Template helpers of the toolbox's public pages."""

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def web_url(url):
    """`url` when it is an http(s) address, else "": a link stored by an import that skipped the model's
    validation (a `javascript:` one, say) is shown as no link at all."""
    url = (url or "").strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in ("http", "https") else ""
