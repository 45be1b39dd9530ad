from django import forms
from dsfr.forms import DsfrBaseForm


class DsfrForm(DsfrBaseForm):
    """Plain form rendered with the State design system's field markup."""


class DsfrModelForm(DsfrBaseForm, forms.ModelForm):
    """ModelForm rendered like DsfrForm (DSFR input groups, French error messages under each field)."""
