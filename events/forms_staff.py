"""Forms of the staff's event pages. Dates are typed and shown in the territory's time zone: the views
run them under timezone.override(territory zone), so Django's DateTimeField reads « 18:00 » as 18:00
in Mayotte (15:00 UTC) and shows the stored UTC back as 18:00."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assett.forms import DsfrForm, DsfrModelForm
from organisations.enums import OrganisationKind
from toolbox.models import Action

from .enums import EventMode
from .models import Event, WorkshopFormat

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=LOCAL_FORMAT)


def _local_field(label, required=True, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=LocalDateTimeInput,
        input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        help_text=help_text,
    )


class EventForm(DsfrModelForm):
    starts_at = _local_field(_("Début"))
    ends_at = _local_field(_("Fin"))
    registration_opens_at = _local_field(
        _("Ouverture des inscriptions"), required=False, help_text=_("Vide : dès la publication.")
    )
    registration_closes_at = _local_field(
        _("Clôture des inscriptions"), required=False, help_text=_("Vide : au début de l'événement.")
    )
    themes = forms.MultipleChoiceField(
        label=_("Thèmes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les thèmes du référentiel que l'événement travaille : ils choisissent qui inviter."),
    )
    organisation_kinds = forms.MultipleChoiceField(
        label=_("Types d'organisation visés"),
        choices=OrganisationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune case cochée : tous les types."),
    )
    format = forms.ModelChoiceField(
        label=_("Déroulé d'atelier (facultatif)"),
        queryset=WorkshopFormat.objects.none(),
        required=False,
        empty_label=_("Aucun"),
    )
    actions = forms.ModelMultipleChoiceField(
        label=_("Actions de la boîte à outils travaillées"),
        queryset=Action.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Après l'événement, les participants les ajoutent à leur plan d'actions en un clic."),
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "description",
            "themes",
            "organisation_kinds",
            "starts_at",
            "ends_at",
            "mode",
            "place",
            "online_url",
            "capacity",
            "seats_per_organisation",
            "registration_opens_at",
            "registration_closes_at",
            "reminder_days_before",
            "contact",
            "format",
            "actions",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 8}), "place": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "description": _(
                "En Markdown : **gras**, *italique*, listes avec « - », liens [texte](https://…). "
                "Le HTML n'est pas interprété."
            ),
            "online_url": _("Montré aux seuls inscrits."),
            "contact": _("Qui joindre pour une question : nom, courriel ou téléphone."),
        }

    def __init__(self, *args, themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        current = list(self.instance.themes or [])
        known = {code for code, _title in themes}
        self.fields["themes"].choices = list(themes) + [(code, code) for code in current if code not in known]
        formats = WorkshopFormat.objects.filter(hidden=False)
        actions = Action.objects.filter(hidden=False)
        if self.instance.pk:
            # What the event already points at stays offered, hidden since or not.
            if self.instance.format_id:
                formats = WorkshopFormat.objects.filter(hidden=False) | WorkshopFormat.objects.filter(
                    pk=self.instance.format_id
                )
            actions = Action.objects.filter(hidden=False) | Action.objects.filter(events=self.instance)
        self.fields["format"].queryset = formats.distinct().only("pk", "name")
        self.fields["actions"].queryset = actions.distinct().only("pk", "code", "title").order_by("code")
        self.fields["actions"].label_from_instance = lambda action: f"{action.code} – {action.title}"
        for name in ("capacity", "seats_per_organisation", "reminder_days_before"):
            self.fields[name].widget.attrs.setdefault("min", 0 if name == "reminder_days_before" else 1)

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity is not None and capacity < 1:
            raise forms.ValidationError(_("Au moins une place, ou vide pour une capacité sans limite."))
        return capacity

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("La fin doit venir après le début."))
        mode = data.get("mode")
        if mode in (EventMode.ON_SITE, EventMode.HYBRID) and not (data.get("place") or "").strip():
            self.add_error("place", _("Indiquez l'adresse : l'événement a lieu sur place."))
        if mode in (EventMode.ONLINE, EventMode.HYBRID) and not data.get("online_url"):
            self.add_error("online_url", _("Indiquez le lien de connexion : l'événement a lieu en ligne."))
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        if closes and starts and closes > starts:
            self.add_error("registration_closes_at", _("Les inscriptions ferment au plus tard au début."))
        if opens and closes and opens >= closes:
            self.add_error("registration_opens_at", _("L'ouverture doit précéder la clôture des inscriptions."))
        capacity, per_organisation = data.get("capacity"), data.get("seats_per_organisation")
        if capacity and per_organisation and per_organisation > capacity:
            self.add_error("seats_per_organisation", _("Pas plus de places par organisation que de places en tout."))
        return data

    def service_fields(self):
        """cleaned_data as the services take it: the actions apart."""
        fields = dict(self.cleaned_data)
        actions = fields.pop("actions")
        fields["place"] = fields["place"].strip()
        return fields, actions


class CancelForm(DsfrForm):
    message = forms.CharField(
        label=_("Message aux inscrits (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Par exemple la raison de l'annulation, ou la date à laquelle il sera reprogrammé."),
    )
    confirm = forms.BooleanField(label=_("Je confirme l'annulation de cet événement"))
