"""What WeasyPrint may read while rendering a report: the application's own static files and data: URIs.

WeasyPrint fetches every URL a document names (images, stylesheets, fonts, SVG references, and
files to attach, through `<a rel=attachment>` / `<link rel=attachment>`) with its url_fetcher, and its
default fetcher reads local files and the network, following redirects. Its security notes tell
whoever renders content that users typed to replace it; its advisories (arbitrary files attached to
a PDF, redirects that bypassed a custom fetcher) show why nothing of the default may be left. So this
fetcher never opens a socket nor a path that it did not build itself:

- `data:` URIs are decoded here (not by urllib);
- `REPORT_BASE_URL + STATIC_URL + path` is looked up with Django's staticfiles finders (which refuse
  `..`), for a few file types only (stylesheets, fonts, raster images);
- anything else — `file:`, `http(s):` to any host, other schemes, other paths — is refused.

Every template variable that reaches a report is escaped (or sanitised Markdown, assett/markdown.py),
so user content cannot add a tag; this fetcher is the second wall, should one ever slip through.
"""

import base64
import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# The document's base URL: relative URLs resolve under it, and .invalid never resolves (RFC 2606), should
# anything ever try.
REPORT_BASE_URL = "https://rapport.invalid/"
STATIC_SUFFIXES = {".css", ".woff", ".woff2", ".ttf", ".otf", ".png", ".jpg", ".jpeg", ".webp"}
MAX_DATA_URI = 8 * 2**20  # a logo (2 MB at most, assett/uploads.py) in base64, with room


class RefusedURL(ValueError):
    """WeasyPrint catches it, logs a warning and renders without the resource."""


class ReportURLFetcher(URLFetcher):
    """The url_fetcher of every report (see the module's docstring). `calls` lists what was asked, in order."""

    def __init__(self):
        # No handler of urllib's is ever used: fetch() below answers every URL itself.
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.calls = []

    def fetch(self, url, headers=None):
        self.calls.append(url)
        if url[:5].lower() == "data:":
            return _data_uri(url)
        path = static_file(url)
        if path is not None:
            content_type, _encoding = mimetypes.guess_type(path.name)
            return URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": content_type or "application/octet-stream"}
            )
        logger.warning("Report: refused to fetch %.200r", url)
        raise RefusedURL(f"Not fetched: {url[:200]}")

    def open(self, url, data=None, timeout=None):
        # urllib's OpenerDirector.open would use the handlers: everything goes through fetch().
        return self.fetch(getattr(url, "full_url", url))


def static_file(url):
    """The path of the static file that `url` names under the report's base URL, or None."""
    prefix = REPORT_BASE_URL.rstrip("/") + settings.STATIC_URL
    if not url.startswith(prefix):
        return None
    if urlsplit(url).query:
        return None
    relative = unquote(url[len(prefix) :].split("#", 1)[0])
    if not relative or "\\" in relative or "\x00" in relative or Path(relative).suffix.lower() not in STATIC_SUFFIXES:
        return None
    if ".." in Path(relative).parts:
        return None
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:  # safe_join underneath refuses a path out of the static folders
        return None
    return Path(found) if found else None


def _data_uri(url):
    """data:[<media type>][;base64],<data> (RFC 2397)."""
    if len(url) > MAX_DATA_URI:
        raise RefusedURL("data: URI too long")
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise RefusedURL("Malformed data: URI")
    is_base64 = header.lower().endswith(";base64")
    media_type = (header[: -len(";base64")] if is_base64 else header) or "text/plain;charset=US-ASCII"
    try:
        body = base64.b64decode(payload, validate=False) if is_base64 else unquote_to_bytes(payload)
    except ValueError as error:
        raise RefusedURL("Malformed data: URI") from error
    return URLFetcherResponse(url, body=body, headers={"Content-Type": media_type})
