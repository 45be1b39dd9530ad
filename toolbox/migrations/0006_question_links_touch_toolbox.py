"""The `toolbox` revision (0005) moves with the actions' question links too: the results page keeps its
practice changes (the questions of the completed actions) and its recommendations rendered under it
(referentiel/views/results.py), and the staff editor, the national import or a queryset may write
links without writing their action's row."""

from django.db import migrations

TRIGGER = """
DROP TRIGGER IF EXISTS toolbox_actionquestion_touch_toolbox ON toolbox_actionquestion;
CREATE TRIGGER toolbox_actionquestion_touch_toolbox
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON toolbox_actionquestion
    FOR EACH STATEMENT EXECUTE FUNCTION toolbox_touch_toolbox();
"""

DROP_TRIGGER = "DROP TRIGGER IF EXISTS toolbox_actionquestion_touch_toolbox ON toolbox_actionquestion;"


class Migration(migrations.Migration):
    dependencies = [("toolbox", "0005_revisions")]

    operations = [migrations.RunSQL(TRIGGER, reverse_sql=DROP_TRIGGER)]
