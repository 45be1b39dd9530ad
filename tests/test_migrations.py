"""The models and their migrations agree: a changed label or help text without its migration would
leave `make lint` red and the next `makemigrations` with somebody else's change in it."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_its_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit:
        raise AssertionError(f"makemigrations would write:\n{out.getvalue()}") from exit
