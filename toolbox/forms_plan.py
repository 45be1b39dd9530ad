"""Forms of the action plan pages: they parse what was typed; the rules live in toolbox/plan.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assett.forms import DsfrForm

from .enums import PlanStatus, Priority
from .plan import DESCRIPTION_MAX, NOTE_MAX, STEP_MAX, TITLE_MAX, ItemFields
from .plan_summary import FILTER_OPEN, FILTER_OVERDUE


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return str(user)


class PlanItemForm(DsfrForm):
    title = forms.CharField(label=_("Intitulé"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description (facultative)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=DESCRIPTION_MAX,
    )
    theme = forms.ChoiceField(label=_("Thème"))
    status = forms.ChoiceField(label=_("Statut"), choices=PlanStatus.choices)
    priority = forms.ChoiceField(label=_("Priorité"), choices=Priority.choices, initial=Priority.NORMAL)
    owner = OwnerField(
        label=_("Responsable (facultatif)"), queryset=User.objects.none(), required=False, empty_label=_("Personne")
    )
    start_date = forms.DateField(label=_("Date de début (facultative)"), required=False, widget=DateInput)
    target_date = forms.DateField(label=_("Échéance (facultative)"), required=False, widget=DateInput)

    def __init__(self, *args, organisation, themes, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the organisation's members are offered; the service checks it again on saving.
        self.fields["owner"].queryset = User.objects.filter(memberships__organisation=organisation).order_by(
            "last_name", "first_name", "email"
        )
        self.fields["theme"].choices = [("", _("Choisir un thème")), *themes]
        if creating:
            del self.fields["status"]

    def item_fields(self):
        data = self.cleaned_data
        return ItemFields(
            title=data["title"],
            description=data["description"],
            theme=data["theme"],
            status=data.get("status", PlanStatus.TODO),
            priority=data["priority"],
            owner=data["owner"],
            start_date=data["start_date"],
            target_date=data["target_date"],
        )

    def add_service_errors(self, error):
        for name, message in error.errors.items():
            self.add_error(name if name in self.fields else None, message)


def initial_of(item):
    return {
        "title": item.title,
        "description": item.description,
        "theme": item.theme,
        "status": item.status,
        "priority": item.priority,
        "owner": item.owner_id,
        "start_date": item.start_date,
        "target_date": item.target_date,
    }


class StepForm(DsfrForm):
    text = forms.CharField(label=_("Nouvelle étape"), max_length=STEP_MAX)
    url = forms.URLField(label=_("Lien (facultatif)"), required=False, assume_scheme="https")


class NoteForm(DsfrForm):
    text = forms.CharField(label=_("Nouvelle note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=NOTE_MAX)


class DeleteForm(DsfrForm):
    confirm = forms.BooleanField(label=_("Je confirme la suppression de cette action, de ses étapes et de ses notes"))


STATUS_FILTERS = [
    ("", _("Toutes")),
    (FILTER_OVERDUE, _("En retard")),
    (FILTER_OPEN, _("À lancer, en cours ou en pause")),
    *PlanStatus.choices,
]


class PlanFilterForm(DsfrForm):
    statut = forms.ChoiceField(label=_("Statut"), choices=STATUS_FILTERS, required=False)
