"""Error pages of both sites (400, 403, 404, 500 and the CSRF failure), in the DSFR and in French.

Rendered from templates/errors/ with an explicit context and no context processors: they read
neither the session, nor the user, nor the database, nor the cache, so they still render when
PostgreSQL or Redis is down; the territory is the one the middleware already holds in memory.
"""

import logging

from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def bad_request(request, exception):
    return _render(request, "errors/400.html", 400)


def permission_denied(request, exception):
    return _render(request, "errors/403.html", 403)


def csrf_failure(request, reason=""):
    return _render(request, "errors/403_csrf.html", 403)


def page_not_found(request, exception):
    return _render(request, "errors/404.html", 404)


def server_error(request):
    return _render(request, "errors/500.html", 500)


def _render(request, template_name, status):
    try:
        html = loader.render_to_string(template_name, {"territory": _territory(request)})
    except Exception:
        # An error page must never fail (say, a static files manifest entry is missing): plain text then.
        logger.exception("The error page %s could not be rendered", template_name)
        html = _("Erreur %(status)s. Revenez à la page d’accueil : /") % {"status": status}
        return HttpResponse(html, status=status, content_type="text/plain; charset=utf-8")
    return HttpResponse(html, status=status)


def _territory(request):
    territory = getattr(request, "tenant", None)
    return None if territory is None or territory.is_public else territory
