"""Who may do what on a territory's site. One place, so every view asks the same way."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def staff_required(view):
    """Territory staff and admins; others get a 404, not a hint that the page exists."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_territory_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def territory_admin_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_territory_admin:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def national_admin_required(view):
    """Staff accounts of the public schema (Cerema, Efficacity)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
