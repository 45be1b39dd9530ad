# The unique index comes in its own migration (its own transaction), after 0002 gave every row its id:
# PostgreSQL refuses to alter a table that has pending deferred-constraint events from that update.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_invitation_expiry_and_public_id"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organisation",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
