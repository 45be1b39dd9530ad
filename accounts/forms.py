from django import forms
from django.utils.translation import gettext_lazy as _

from assett.forms import DsfrForm

from .signup import NamesFields


class NamesForm(DsfrForm, NamesFields):
    """The names of « Mon compte », the same fields and rules as at sign-up."""


class NotificationsForm(DsfrForm):
    """What territory staff are emailed about (« Mon compte »)."""

    notify_submissions = forms.BooleanField(
        label=_("Recevoir un courriel quand une organisation valide son auto-évaluation"),
        required=False,
        help_text=_("Avec son niveau, son score et le lien vers ses réponses."),
    )


class DeleteAccountForm(DsfrForm):
    """Asks for the password (or, for an account that never chose one, the email) once more.

    So that a session left open on a shared computer is not enough to delete an account.
    """

    password = forms.CharField(
        label=_("Votre mot de passe, pour confirmer"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    email = forms.EmailField(
        label=_("Votre adresse électronique, pour confirmer"),
        help_text=_("Celle de votre compte, que vous n'avez pas encore protégé par un mot de passe."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        del self.fields["email" if user.has_usable_password() else "password"]

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError(_("Ce mot de passe n'est pas celui de votre compte."))
        return ""

    def clean_email(self):
        if self.cleaned_data["email"].strip().lower() != self.user.email:
            raise forms.ValidationError(_("Cette adresse n'est pas celle de votre compte."))
        return self.cleaned_data["email"]
