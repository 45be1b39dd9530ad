"""Both sites' URL configurations plus views that fail on purpose, for the error pages' tests.

`public` and `tenants` keep the real configurations' error handlers: the tests exercise those.
"""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path


def forbidden(request):
    raise PermissionDenied


def bad_request(request):
    raise SuspiciousOperation("requête forgée")


def broken(request):
    raise RuntimeError("panne simulée")


FAILING = [
    path("test/interdit/", forbidden),
    path("test/requete-invalide/", bad_request),
    path("test/panne/", broken),
]
