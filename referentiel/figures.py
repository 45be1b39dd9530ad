"""Each territory's assessments, for the national back office (tenants/figures.py)."""

from datetime import timedelta

from django.db import connection
from django.utils import timezone
from psycopg import sql

from tenants.figures import union_all

_SELECT = sql.SQL(
    "SELECT count(*) FILTER (WHERE status = 'submitted' AND submitted_at >= %s) AS submitted_last_year,"
    " max(updated_at) AS last_activity FROM {schema}.referentiel_assessment"
)


def assessment_figures(schema_names):
    query, params = union_all(schema_names, _SELECT, [timezone.now() - timedelta(days=365)])
    with connection.cursor() as cursor:
        cursor.execute(query.as_string(connection.connection), params)
        return {
            schema: {"submitted_last_year": count, "last_activity": last} for schema, count, last in cursor.fetchall()
        }
