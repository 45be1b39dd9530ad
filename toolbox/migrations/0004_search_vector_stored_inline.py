"""Keep `toolbox_action.search_vector` in the table's rows, not in its TOAST table.

A row of an action with a real body passes PostgreSQL's 2 kB threshold; the toaster then compresses
the body and moves the largest remaining value out of line: the search vector (about 1.2 kB, which
does not compress). Every search then read each matching action's vector from the TOAST table, and
twice (once for the match, once for ts_rank): on 2,000 actions of which 1,700 match « bilan carbone »,
12,000 buffer reads and 10 ms of the 17 ms the query took (bench/bench_toolbox_search.py).
STORAGE MAIN makes the vector the last value to leave the row: the body goes out of line first (the
list reads it only for the excerpts of the page shown). The UPDATE rewrites the rows already there:
the trigger of 0002_search recomputes each vector, stored by the new rule.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("toolbox", "0003_search_index_without_pending_list"),
    ]

    operations = [
        migrations.RunSQL(
            """
            ALTER TABLE toolbox_action ALTER COLUMN search_vector SET STORAGE MAIN;
            UPDATE toolbox_action SET search_vector = NULL;
            """,
            reverse_sql="""
            ALTER TABLE toolbox_action ALTER COLUMN search_vector SET STORAGE EXTENDED;
            UPDATE toolbox_action SET search_vector = NULL;
            """,
        ),
    ]
