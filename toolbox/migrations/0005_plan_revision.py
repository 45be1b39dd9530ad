"""toolbox_planrevision: when each organisation's plan last changed, kept by triggers (toolbox/revisions.py).

Triggers rather than save() or the services, for the reason of 0002_search: plan items and steps are
written by several paths (the services, the demo's bulk_create, a queryset update, the admin, Django
setting an owner to NULL when a person is deleted), and a trigger sees them all, in the transaction
of the write. The revision only moves forward (a clock set back still gives a new value), so a key
built on it is never one of an earlier state of the plan.
"""

from django.db import migrations, models

TRIGGERS = """
CREATE OR REPLACE FUNCTION toolbox_touch_plan(organisation bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO toolbox_planrevision (organisation_id, changed_at) VALUES (organisation, clock_timestamp())
    ON CONFLICT (organisation_id) DO UPDATE SET changed_at = greatest(
        toolbox_planrevision.changed_at + interval '1 microsecond', clock_timestamp()
    );
$$;

CREATE OR REPLACE FUNCTION toolbox_planitem_touch_plan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM toolbox_touch_plan(OLD.organisation_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.organisation_id <> OLD.organisation_id) THEN
        PERFORM toolbox_touch_plan(NEW.organisation_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION toolbox_planstep_touch_plan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A step deleted with its item finds no item: the item's own trigger has touched the plan.
    PERFORM toolbox_touch_plan(item.organisation_id) FROM toolbox_planitem AS item
    WHERE item.id IN (OLD.item_id, NEW.item_id);
    RETURN NULL;
END
$$;

-- The plan page shows owners and finishers by name (User.display_name: full name, else address).
CREATE OR REPLACE FUNCTION toolbox_user_touch_plans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM toolbox_touch_plan(organisation_id) FROM (
        SELECT DISTINCT organisation_id FROM toolbox_planitem
        WHERE owner_id = NEW.id OR completed_by_id = NEW.id
    ) AS plans;
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

-- The plans already there.
INSERT INTO toolbox_planrevision (organisation_id, changed_at)
SELECT organisation_id, clock_timestamp() FROM (SELECT DISTINCT organisation_id FROM toolbox_planitem) AS plans;
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS toolbox_user_touch_plans ON accounts_user;
DROP TRIGGER IF EXISTS toolbox_planstep_touch_plan ON toolbox_planstep;
DROP TRIGGER IF EXISTS toolbox_planitem_touch_plan ON toolbox_planitem;
DROP FUNCTION IF EXISTS toolbox_user_touch_plans();
DROP FUNCTION IF EXISTS toolbox_planstep_touch_plan();
DROP FUNCTION IF EXISTS toolbox_planitem_touch_plan();
DROP FUNCTION IF EXISTS toolbox_touch_plan(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_notify_submissions"),
        ("toolbox", "0004_search_vector_stored_inline"),
    ]

    operations = [
        migrations.CreateModel(
            name="PlanRevision",
            fields=[
                ("organisation_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("changed_at", models.DateTimeField()),
            ],
        ),
        migrations.RunSQL(TRIGGERS, reverse_sql=DROP_TRIGGERS),
    ]
