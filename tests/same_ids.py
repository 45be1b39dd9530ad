"""Give rows of two territories the same id, so that a cross-territory test can tell whose row a page shows.

Ids are per schema: without this, B has no row with the id of A's, and a 404 on B proves nothing about
which schema served it."""

from django.db import connection
from django_tenants.utils import schema_context


def align_next_ids(models, *territories):
    """The next row of each model gets the same id in every territory given.

    Sequences are moved forward only (to the highest next id among the territories): committed rows keep theirs.
    """
    for model in models:
        table = model._meta.db_table
        next_ids = {territory.schema_name: _next_id(territory, table) for territory in territories}
        target = max(next_ids.values())
        for territory in territories:
            with schema_context(territory.schema_name), connection.cursor() as cursor:
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [table, target])


def _next_id(territory, table):
    with schema_context(territory.schema_name), connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
        return cursor.fetchone()[0]
