from pathlib import Path

import dsfr
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property
from dsfr.forms import DsfrBaseForm


class DsfrForm(DsfrBaseForm):
    """Plain form rendered with the State design system's field markup."""


class DsfrModelForm(DsfrBaseForm, forms.ModelForm):
    """ModelForm rendered like DsfrForm (DSFR input groups, French error messages under each field)."""

    def _update_errors(self, errors):
        # The model's clean() runs even on fields the form refused, seeing the instance's old or empty
        # value: a bad SIRET would also read « le SIRET est obligatoire ». The form's error is the one to fix.
        if hasattr(errors, "error_dict"):
            kept = {
                field: messages
                for field, messages in errors.error_dict.items()
                if field == NON_FIELD_ERRORS or field not in self.errors
            }
            if not kept:
                return
            errors = ValidationError(kept)
        super()._update_errors(errors)


class FormRenderer(DjangoTemplates):
    """django-dsfr's form renderer, with templates/forms/ first: it holds the few widget templates we override."""

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                # django-dsfr's widget and error templates before Django's own, as its renderer has them:
                # without them errors are bare bullets and checkboxes the browser's.
                "DIRS": [
                    settings.BASE_DIR / "templates" / "forms",
                    Path(dsfr.__file__).parent / "templates",
                    Path(forms.__file__).parent / "templates",
                ],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )
