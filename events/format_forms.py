"""Forms of the staff's workshop formats. They check input; events/format_services.py writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assett.forms import DsfrForm, DsfrModelForm
from toolbox.models import Action

from .format_rules import duration_gap_message
from .format_services import StepInput
from .models import FormatStep, WorkshopFormat


class FormatForm(DsfrModelForm):
    actions = forms.ModelMultipleChoiceField(
        label=_("Actions de la boîte à outils travaillées"),
        queryset=Action.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Après l'atelier, les participants pourront les ajouter au plan de leur organisation."),
    )

    class Meta:
        model = WorkshopFormat
        fields = [
            "name",
            "objective",
            "phase",
            "duration_minutes",
            "group_min",
            "group_max",
            "materials",
            "facilitator_roles",
        ]
        widgets = {
            "objective": forms.Textarea(attrs={"rows": 4}),
            "materials": forms.Textarea(attrs={"rows": 5}),
            "facilitator_roles": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "materials": _("Un élément par ligne."),
            "facilitator_roles": _("Un rôle par ligne, par exemple « Maître du temps : donne les signaux »."),
            "duration_minutes": _("Elle doit être égale au total des minutes des étapes."),
        }

    def __init__(self, *args, steps_total, **kwargs):
        super().__init__(*args, **kwargs)
        self.steps_total = steps_total
        current = self.instance.actions.all() if self.instance.pk else Action.objects.none()
        # Visible actions, and those already linked even if staff hid them since.
        self.fields["actions"].queryset = (Action.objects.filter(hidden=False) | current).distinct().order_by("code")
        self.fields["actions"].label_from_instance = lambda action: f"{action.code} – {action.title}"
        if self.instance.pk:
            self.initial["actions"] = list(current)

    def clean(self):
        data = super().clean()
        low, high = data.get("group_min"), data.get("group_max")
        if low is not None and high is not None and high < low:
            self.add_error("group_max", _("Le maximum de participants doit être au moins égal au minimum."))
        duration = data.get("duration_minutes")
        if duration is not None and self.steps_total:
            gap = duration_gap_message(self.steps_total, duration)
            if gap:
                self.add_error("duration_minutes", gap[0].upper() + gap[1:])
        return data

    def _post_clean(self):
        # The check constraint on group bounds would repeat the French message above in English words.
        low, high = self.cleaned_data.get("group_min"), self.cleaned_data.get("group_max")
        if low is not None and high is not None and high < low:
            return
        super()._post_clean()


class StepForm(DsfrForm):
    title = forms.CharField(label=_("Titre"), max_length=FormatStep._meta.get_field("title").max_length)
    minutes = forms.IntegerField(label=_("Durée (minutes)"), min_value=1, max_value=600)
    instructions = forms.CharField(
        label=_("Consignes pour l'animateur"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BaseStepFormSet(forms.BaseFormSet):
    def ordered_steps(self):
        """The kept steps in the order staff typed (a blank order keeps its place, after the numbered ones)."""
        kept = [
            form
            for index, form in enumerate(self.forms)
            if (index < self.initial_form_count() or form.has_changed()) and not self._should_delete_form(form)
        ]
        positions = {id(form): index for index, form in enumerate(kept)}

        def key(form):
            order = form.cleaned_data.get("ORDER")
            return (order is None, order if order is not None else 0, positions[id(form)])

        return [
            StepInput(form.cleaned_data["title"], form.cleaned_data["minutes"], form.cleaned_data["instructions"])
            for form in sorted(kept, key=key)
        ]


StepFormSet = forms.formset_factory(StepForm, formset=BaseStepFormSet, extra=2, can_order=True, can_delete=True)


class AdjustDurationForm(DsfrForm):
    adjust_duration = forms.BooleanField(
        label=_("Ajuster la durée du déroulé au total des étapes"),
        required=False,
    )
