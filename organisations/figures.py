"""Each territory's organisations, for the national back office (tenants/figures.py)."""

from django.db import connection
from psycopg import sql

from tenants.figures import union_all

_SELECT = sql.SQL(
    "SELECT count(*) AS organisations, max(created_at) AS last_activity FROM {schema}.organisations_organisation"
)


def organisation_figures(schema_names):
    query, params = union_all(schema_names, _SELECT)
    with connection.cursor() as cursor:
        cursor.execute(query.as_string(connection.connection), params)
        return {schema: {"organisations": count, "last_activity": last} for schema, count, last in cursor.fetchall()}
