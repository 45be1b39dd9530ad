"""Tags of the page layout (templates/base.html)."""

from functools import cache

from django import template
from django.template import Context, Template
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
