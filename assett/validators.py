"""Validators shared by several apps."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_single_line(value):
    """Names that reach email subjects and page titles hold on one line (a newline in a header is refused)."""
    if value and "".join(value.splitlines()) != value:
        raise ValidationError(
            _("Ce champ tient sur une seule ligne : retirez les retours à la ligne."), code="multiline"
        )
