"""The names asked at sign-up, added by allauth to its own sign-up form (ACCOUNT_SIGNUP_FORM_CLASS).

Kept apart from accounts/forms.py: allauth imports this module while building its forms.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from assett.validators import validate_single_line


class NamesFields(forms.Form):
    # Names reach email subjects and headers (« Camille Martin vous invite… »): one line only.
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )


class NamesSignupForm(NamesFields):
    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])
