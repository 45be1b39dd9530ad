from pathlib import Path

from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property
from dsfr.forms import DsfrBaseForm


class DsfrForm(DsfrBaseForm):
    """Plain form rendered with the State design system's field markup."""


class DsfrModelForm(DsfrBaseForm, forms.ModelForm):
    """ModelForm rendered like DsfrForm (DSFR input groups, French error messages under each field)."""


class FormRenderer(DjangoTemplates):
    """Django's form renderer, with templates/forms/ first: it holds the few widget templates we override."""

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [settings.BASE_DIR / "templates" / "forms", Path(forms.__file__).parent / "templates"],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )
