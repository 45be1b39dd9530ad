"""toolbox_revision: when each organisation's plan, and the toolbox, last changed (toolbox/revisions.py).

Triggers rather than save() or the services, for the reason of 0002_search: plan items, steps, actions
and schemes are written by several paths (the services, the demo's bulk_create, a queryset update, the
admin, the national import, Django setting an owner to NULL when a person is deleted), and a trigger
sees them all, in the transaction of the write. A revision only moves forward (a clock set back still
gives a new value), so a key built on it is never one of an earlier state.

- `plan:<organisation id>`: a plan item or step written, or the name or address of a person an item
  names (the plan page shows owners by User.display_name). Row triggers: each row names its plan.
- `toolbox`: an action (its steps too, through 0002's triggers, which rewrite the action's row), a
  scheme, or a link between them written (the list's cards show « accompagnement gratuit »).
  Statement triggers: an import of 2,000 actions moves it once per statement.
"""

from django.db import migrations, models

TRIGGERS = """
CREATE OR REPLACE FUNCTION toolbox_touch(revision text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO toolbox_revision (key, changed_at) VALUES (revision, clock_timestamp())
    ON CONFLICT (key) DO UPDATE SET changed_at = greatest(
        toolbox_revision.changed_at + interval '1 microsecond', clock_timestamp()
    );
$$;

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

CREATE OR REPLACE FUNCTION toolbox_planstep_touch_plan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A step deleted with its item finds no item: the item's own trigger has touched the plan.
    PERFORM toolbox_touch('plan:' || item.organisation_id) FROM toolbox_planitem AS item
    WHERE item.id IN (OLD.item_id, NEW.item_id);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION toolbox_user_touch_plans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM toolbox_touch('plan:' || organisation_id) FROM (
        SELECT DISTINCT organisation_id FROM toolbox_planitem
        WHERE owner_id = NEW.id OR completed_by_id = NEW.id
    ) AS plans;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION toolbox_touch_toolbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM toolbox_touch('toolbox');
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS toolbox_planitem_touch_plan ON toolbox_planitem;
CREATE TRIGGER toolbox_planitem_touch_plan AFTER INSERT OR UPDATE OR DELETE ON toolbox_planitem
    FOR EACH ROW EXECUTE FUNCTION toolbox_planitem_touch_plan();
DROP TRIGGER IF EXISTS toolbox_planstep_touch_plan ON toolbox_planstep;
CREATE TRIGGER toolbox_planstep_touch_plan AFTER INSERT OR UPDATE OR DELETE ON toolbox_planstep
    FOR EACH ROW EXECUTE FUNCTION toolbox_planstep_touch_plan();
DROP TRIGGER IF EXISTS toolbox_user_touch_plans ON accounts_user;
CREATE TRIGGER toolbox_user_touch_plans AFTER UPDATE ON accounts_user
    FOR EACH ROW WHEN (
        OLD.first_name IS DISTINCT FROM NEW.first_name
        OR OLD.last_name IS DISTINCT FROM NEW.last_name
        OR OLD.email IS DISTINCT FROM NEW.email
    )
    EXECUTE FUNCTION toolbox_user_touch_plans();

DROP TRIGGER IF EXISTS toolbox_action_touch_toolbox ON toolbox_action;
CREATE TRIGGER toolbox_action_touch_toolbox AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON toolbox_action
    FOR EACH STATEMENT EXECUTE FUNCTION toolbox_touch_toolbox();
DROP TRIGGER IF EXISTS toolbox_scheme_touch_toolbox ON toolbox_scheme;
CREATE TRIGGER toolbox_scheme_touch_toolbox AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON toolbox_scheme
    FOR EACH STATEMENT EXECUTE FUNCTION toolbox_touch_toolbox();
DROP TRIGGER IF EXISTS toolbox_action_schemes_touch_toolbox ON toolbox_action_schemes;
CREATE TRIGGER toolbox_action_schemes_touch_toolbox
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON toolbox_action_schemes
    FOR EACH STATEMENT EXECUTE FUNCTION toolbox_touch_toolbox();

-- What is already there.
INSERT INTO toolbox_revision (key, changed_at)
SELECT 'plan:' || organisation_id, clock_timestamp() FROM (SELECT DISTINCT organisation_id FROM toolbox_planitem) AS plans;
SELECT toolbox_touch('toolbox');
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS toolbox_action_schemes_touch_toolbox ON toolbox_action_schemes;
DROP TRIGGER IF EXISTS toolbox_scheme_touch_toolbox ON toolbox_scheme;
DROP TRIGGER IF EXISTS toolbox_action_touch_toolbox ON toolbox_action;
DROP TRIGGER IF EXISTS toolbox_user_touch_plans ON accounts_user;
DROP TRIGGER IF EXISTS toolbox_planstep_touch_plan ON toolbox_planstep;
DROP TRIGGER IF EXISTS toolbox_planitem_touch_plan ON toolbox_planitem;
DROP FUNCTION IF EXISTS toolbox_touch_toolbox();
DROP FUNCTION IF EXISTS toolbox_user_touch_plans();
DROP FUNCTION IF EXISTS toolbox_planstep_touch_plan();
DROP FUNCTION IF EXISTS toolbox_planitem_touch_plan();
DROP FUNCTION IF EXISTS toolbox_touch(text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_notify_submissions"),
        ("toolbox", "0004_search_vector_stored_inline"),
    ]

    operations = [
        migrations.CreateModel(
            name="Revision",
            fields=[
                ("key", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("changed_at", models.DateTimeField()),
            ],
        ),
        migrations.RunSQL(TRIGGERS, reverse_sql=DROP_TRIGGERS),
    ]
