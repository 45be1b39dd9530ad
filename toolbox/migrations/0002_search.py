"""French full-text search over the toolbox's actions (toolbox/search.py).

1. `public.french_unaccent`, a text search configuration: French stems of words stripped of their
   accents (« Énergies » and « energie » are both `energi`). It needs the `unaccent` extension.
   django-tenants keeps extensions in the `public` schema, which is on every territory's
   search_path; the configuration lives beside it, one for all territories. Both are created by the
   first territory schema that runs this migration and found by the next ones: idempotent, and
   under an advisory lock, since two schemas migrating at once would otherwise both try to create
   them. They are never dropped by a reverse migration (other territories use them).
   On the public schema this app's operations do not run (the tenant router skips a tenant app there),
   and the public schema never holds actions.

2. `toolbox_action.search_vector`, weighted (A title, B promise, C body and steps), with a GIN index.
   It cannot be a generated column: a generated column reads only its own row, and the steps live in
   `toolbox_actionstep`. Triggers keep it instead of save() or a service, because actions and steps
   are written by several paths (the staff editor, the national import with bulk_create, a queryset
   update, the admin) and a trigger sees them all: whatever writes, the vector is never stale.
   - any INSERT or UPDATE of an action row recomputes its vector (BEFORE trigger), whatever the
     UPDATE sets: a value written by Django is never kept;
   - any INSERT, UPDATE or DELETE of steps touches their actions' rows once per statement (statement
     triggers with transition tables: a bulk_create of 500 steps updates each action once).
   The functions are created in the territory's schema and name their tables unqualified, as every
   query of the application does: they resolve through the territory's search_path.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

TEXT_SEARCH_CONFIGURATION = """
DO $$
BEGIN
    -- Serialise with any other schema running this migration at the same time.
    PERFORM pg_advisory_xact_lock(hashtext('assett:toolbox:french_unaccent'));
    CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
    IF NOT EXISTS (
        SELECT 1 FROM pg_ts_config
        WHERE cfgname = 'french_unaccent' AND cfgnamespace = 'public'::regnamespace
    ) THEN
        -- The French stop words, checked before the accents go: the stemmer checks its own list
        -- after unaccent, where « à », « été » or « même » would no longer be found. ACCEPT = false:
        -- a word that is not a stop word goes on to the next dictionary.
        CREATE TEXT SEARCH DICTIONARY public.french_unaccent_stopwords (
            TEMPLATE = pg_catalog.simple, STOPWORDS = french, ACCEPT = false
        );
        CREATE TEXT SEARCH CONFIGURATION public.french_unaccent (COPY = pg_catalog.french);
        -- unaccent is a filtering dictionary: it hands the bare word on to the French stemmer.
        ALTER TEXT SEARCH CONFIGURATION public.french_unaccent
            ALTER MAPPING FOR hword, hword_part, word
            WITH public.french_unaccent_stopwords, public.unaccent, pg_catalog.french_stem;
    END IF;
END
$$;
"""

TRIGGERS = """
CREATE OR REPLACE FUNCTION toolbox_action_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('public.french_unaccent', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('public.french_unaccent', coalesce(NEW.promise, '')), 'B')
        || setweight(to_tsvector('public.french_unaccent', coalesce(NEW.body, '') || ' ' || coalesce(
            (SELECT string_agg(step.text, ' ' ORDER BY step."order", step.id)
             FROM toolbox_actionstep AS step WHERE step.action_id = NEW.id), '')), 'C');
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION toolbox_actionstep_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Writing the action's row runs its BEFORE trigger above, which reads the steps as they now are.
    IF TG_OP = 'INSERT' THEN
        UPDATE toolbox_action SET search_vector = NULL WHERE id IN (SELECT action_id FROM new_steps);
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE toolbox_action SET search_vector = NULL
        WHERE id IN (SELECT action_id FROM new_steps UNION SELECT action_id FROM old_steps);
    ELSE
        UPDATE toolbox_action SET search_vector = NULL WHERE id IN (SELECT action_id FROM old_steps);
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS toolbox_action_search_document ON toolbox_action;
CREATE TRIGGER toolbox_action_search_document BEFORE INSERT OR UPDATE ON toolbox_action
    FOR EACH ROW EXECUTE FUNCTION toolbox_action_search_document();

-- A trigger with transition tables fires on one event only: three of them.
DROP TRIGGER IF EXISTS toolbox_actionstep_search_insert ON toolbox_actionstep;
CREATE TRIGGER toolbox_actionstep_search_insert AFTER INSERT ON toolbox_actionstep
    REFERENCING NEW TABLE AS new_steps
    FOR EACH STATEMENT EXECUTE FUNCTION toolbox_actionstep_search_document();
DROP TRIGGER IF EXISTS toolbox_actionstep_search_update ON toolbox_actionstep;
CREATE TRIGGER toolbox_actionstep_search_update AFTER UPDATE ON toolbox_actionstep
    REFERENCING NEW TABLE AS new_steps OLD TABLE AS old_steps
    FOR EACH STATEMENT EXECUTE FUNCTION toolbox_actionstep_search_document();
DROP TRIGGER IF EXISTS toolbox_actionstep_search_delete ON toolbox_actionstep;
CREATE TRIGGER toolbox_actionstep_search_delete AFTER DELETE ON toolbox_actionstep
    REFERENCING OLD TABLE AS old_steps
    FOR EACH STATEMENT EXECUTE FUNCTION toolbox_actionstep_search_document();

-- The actions already there (none in a new schema).
UPDATE toolbox_action SET search_vector = NULL;
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS toolbox_actionstep_search_delete ON toolbox_actionstep;
DROP TRIGGER IF EXISTS toolbox_actionstep_search_update ON toolbox_actionstep;
DROP TRIGGER IF EXISTS toolbox_actionstep_search_insert ON toolbox_actionstep;
DROP TRIGGER IF EXISTS toolbox_action_search_document ON toolbox_action;
DROP FUNCTION IF EXISTS toolbox_actionstep_search_document();
DROP FUNCTION IF EXISTS toolbox_action_search_document();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('toolbox', '0001_initial'),
    ]

    operations = [
        migrations.RunSQL(TEXT_SEARCH_CONFIGURATION, reverse_sql=migrations.RunSQL.noop),
        migrations.AddField(
            model_name='action',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='action',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search_vector'], name='action_search_vector_gin'),
        ),
        migrations.RunSQL(TRIGGERS, reverse_sql=DROP_TRIGGERS),
    ]
