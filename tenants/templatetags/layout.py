"""Tags of the page layout (templates/base.html)."""

from functools import cache, lru_cache

from django import template
from django.template import Context, Template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe

register = template.Library()

_ASSETS = {
    "head": "{% load static dsfr_tags %}{% dsfr_css %}{% dsfr_favicon %}"
    '<link rel="stylesheet" href="{% static \'css/assett.css\' %}">',
    "scripts": "{% load static dsfr_tags %}{% dsfr_js %}"
    "<script src=\"{% static 'vendor/htmx.min.js' %}\" defer></script>",
}


@register.simple_tag
def static_assets(part):
    """The stylesheets and favicons ("head") or scripts ("scripts") of every page, rendered once.

    They depend on nothing but the static files settings, and through django-dsfr's inclusion
    tags and {% static %} they were a fifth of a page's template time (bench/bench_questionnaire.py).
    """
    return _render_assets(part)


@cache
def _render_assets(part):
    return mark_safe(Template(_ASSETS[part]).render(Context()))  # noqa: S308 — our own template


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
