from django import forms
from django.utils.translation import gettext_lazy as _

from assett.forms import DsfrForm

from .data import Period


class PeriodForm(DsfrForm):
    """The review's period, from the dashboard's GET parameters (« du », « au »); empty: the whole programme."""

    du = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            self.add_error("au", _("La fin de la période doit suivre son début."))
        return data

    def period(self):
        """The period asked for, or the whole programme when the form is invalid."""
        if not self.is_valid():
            return Period()
        return Period(start=self.cleaned_data.get("du"), end=self.cleaned_data.get("au"))
