"""`done:<organisation id>`: when the plan's completed items last changed (toolbox/revisions.py).

The results page keeps its practice changes (the questions of the actions completed between two
assessments) rendered under it (referentiel/views/results.py) rather than under the whole plan's
revision: adding an action, ticking a step or writing a note then leaves them kept. It moves when an
item that is or was « réalisée » is written, added or deleted. No backfill: a plan without the row
reads as « never », and its next completion writes the row.
"""

from django.db import migrations

TOUCH_PLAN = """
CREATE OR REPLACE FUNCTION toolbox_planitem_touch_plan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM toolbox_touch('plan:' || OLD.organisation_id);
        IF OLD.status = 'done' THEN
            PERFORM toolbox_touch('done:' || OLD.organisation_id);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF TG_OP = 'INSERT' OR NEW.organisation_id <> OLD.organisation_id THEN
            PERFORM toolbox_touch('plan:' || NEW.organisation_id);
        END IF;
        IF NEW.status = 'done' THEN
            PERFORM toolbox_touch('done:' || NEW.organisation_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
"""

# 0005's function.
PLAN_ONLY = """
CREATE OR REPLACE FUNCTION toolbox_planitem_touch_plan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM toolbox_touch('plan:' || OLD.organisation_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.organisation_id <> OLD.organisation_id) THEN
        PERFORM toolbox_touch('plan:' || NEW.organisation_id);
    END IF;
    RETURN NULL;
END
$$;
DELETE FROM toolbox_revision WHERE key LIKE 'done:%';
"""


class Migration(migrations.Migration):
    dependencies = [("toolbox", "0006_question_links_touch_toolbox")]

    operations = [migrations.RunSQL(TOUCH_PLAN, reverse_sql=PLAN_ONLY)]
