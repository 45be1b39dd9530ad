"""Tags of the page layout (templates/base.html)."""

import base64
import hashlib
from functools import cache, lru_cache
from pathlib import Path

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template import Context, Template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe

register = template.Library()

_ASSETS = {
    "head": "{% load static dsfr_tags %}{% dsfr_css %}{% dsfr_favicon %}"
    '<link rel="stylesheet" href="{% static \'css/assett.css\' %}">',
    "scripts": "{% load static dsfr_tags %}{% dsfr_js %}",
    # Only on the pages that use it ({% block extra_js %}{% static_assets "htmx" %}{% endblock %}).
    "htmx": "{% load static %}<script src=\"{% static 'vendor/htmx.min.js' %}\" defer></script>",
}


@register.simple_tag
def static_assets(part):
    """The stylesheets and favicons ("head") or scripts ("scripts") of every page, or htmx ("htmx")
    for the pages that use it, rendered once.

    They depend on nothing but the static files settings, and through django-dsfr's inclusion
    tags and {% static %} they were a fifth of a page's template time (bench/bench_questionnaire.py).
    """
    return _render_assets(part)


@cache
def _render_assets(part):
    return mark_safe(Template(_ASSETS[part]).render(Context()))  # noqa: S308 — our own template


@register.simple_tag
def static_integrity(name):
    """The subresource integrity of the static file `name` as browsers receive it.

    django-dsfr ships the hashes of its original files, but in production the manifest storage
    serves copies whose url()s it rewrote, and Chromium refuses a stylesheet whose digest does not
    match. So the hash is computed from the served file, once per process.
    """
    return _integrity(name)


@cache
def _integrity(name):
    digest = hashlib.sha384(_served_file(name).read_bytes()).digest()
    return f"sha384-{base64.b64encode(digest).decode()}"


def _served_file(name):
    """The file behind {% static name %}: the app's own file when static files are served through the
    finders (runserver, tests), otherwise the collected copy under STATIC_ROOT (the hashed one in production)."""
    if getattr(settings, "WHITENOISE_USE_FINDERS", settings.DEBUG):
        found = finders.find(name)
        if not found:
            raise FileNotFoundError(f"Static file {name!r} not found by the staticfiles finders.")
        return Path(found)
    stored_name = getattr(staticfiles_storage, "stored_name", lambda plain: plain)(name)
    return Path(staticfiles_storage.path(stored_name))


@register.simple_tag
def layout_url(name):
    """{% url name %} for the layout's links, which take no argument: reversed once per URL configuration.

    The header and footer of every page hold a dozen of them (the national site and the
    territories' sites have their own URL configurations).
    """
    return _reversed(get_urlconf(), get_script_prefix(), name)


@lru_cache(maxsize=256)
def _reversed(urlconf, script_prefix, name):
    return reverse(name, urlconf=urlconf)
