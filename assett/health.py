"""/healthz: is the database, Redis and at least one Celery worker up? JSON, 200 or 503."""

from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .celery import app as celery_app


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _redis():
    caches["platform"].set("healthz", "ok", timeout=10)
    return "ok" if caches["platform"].get("healthz") == "ok" else "unreadable"


def _workers():
    replies = celery_app.control.inspect(timeout=1.0).ping() or {}
    return {"status": "ok" if replies else "down", "count": len(replies)}


@never_cache
def healthz(request):
    report = {}
    for name, check in (("database", _database), ("redis", _redis), ("celery", _workers)):
        try:
            report[name] = check()
        except Exception as error:  # noqa: BLE001 — a health probe reports every failure, whatever it is
            report[name] = {"status": "error", "error": error.__class__.__name__}
    healthy = report["database"] == "ok" and report["redis"] == "ok" and report["celery"].get("status") == "ok"
    return JsonResponse({"status": "ok" if healthy else "degraded", **report}, status=200 if healthy else 503)
