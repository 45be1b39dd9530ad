"""Forms of the toolbox editor. They check input; toolbox/authoring.py decides what may change."""

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from assett.forms import DsfrForm, DsfrModelForm
from organisations.enums import HeadcountBand, OrganisationKind

from .constants import ACTION_ROW_FIELDS
from .enums import Origin
from .models import Action, Partner, Scheme
from .naf_targets import parse_naf_targets
from .referential_links import question_link_problem

YES_NO_ALL = [("", _("Toutes")), ("oui", _("Oui")), ("non", _("Non"))]


def _keep_current(choices, current, absent_label):
    """The referential's choices, plus the action's current values it no longer has (kept, flagged)."""
    known = {str(value) for value, _label in choices}
    extra = [(value, f"{value} ({absent_label})") for value in current if str(value) not in known]
    return list(choices) + extra


class ActionForm(DsfrModelForm):
    main_theme = forms.ChoiceField(label=_("Thème principal"))
    themes = forms.MultipleChoiceField(
        label=_("Autres thèmes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les thèmes que l'action sert aussi."),
    )
    levels = forms.TypedMultipleChoiceField(
        label=_("Niveaux de maturité qu'elle aide à quitter"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune case cochée : tous les niveaux."),
    )
    organisation_kinds = forms.MultipleChoiceField(
        label=_("Types d'organisation"),
        choices=OrganisationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune case cochée : tous les types."),
    )
    headcount_bands = forms.MultipleChoiceField(
        label=_("Tranches d'effectif"),
        choices=HeadcountBand.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune case cochée : toutes les tailles."),
    )
    naf_codes = forms.CharField(
        label=_("Secteurs d'activité (NAF)"),
        required=False,
        help_text=_(
            "Sections (une lettre, par exemple C) ou divisions (deux chiffres, par exemple 10) de la NAF rév. 2, "
            "séparées par des virgules, la plus précise d'abord. Vide : tous les secteurs."
        ),
    )

    class Meta:
        model = Action
        fields = list(ACTION_ROW_FIELDS)
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}
        help_texts = {
            "body": _(
                "En Markdown : **gras**, *italique*, listes avec « - », liens [texte](https://…). "
                "Le HTML n'est pas interprété."
            ),
            "co2_tonnes_per_year": _("Seulement si on peut l'estimer honnêtement ; sa source est alors obligatoire."),
        }

    def __init__(self, *args, referential, first_question=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.referential = referential
        action = self.instance
        if first_question:
            # An action answers at least one question (the file format requires it): a new one starts with one.
            self.fields["question_code"] = forms.ChoiceField(
                label=_("Question du référentiel à laquelle elle répond"),
                choices=[("", _("Choisir une question"))] + question_choices(referential),
                help_text=_("Vous pourrez en lier d'autres ensuite."),
            )
            self.fields["up_to_step"] = forms.IntegerField(
                label=_("Recommandée jusqu'à l'échelon"), min_value=1, help_text=UP_TO_STEP_HELP
            )
        absent = _("absent du référentiel publié")
        current_main = [action.main_theme] if action.main_theme else []
        theme_choices = list(referential.themes)
        self.fields["main_theme"].choices = [("", _("Choisir un thème"))] + _keep_current(
            theme_choices, current_main, absent
        )
        self.fields["themes"].choices = _keep_current(theme_choices, action.themes, absent)
        self.fields["levels"].choices = _keep_current(
            [(rank, f"{rank} – {name}") for rank, name in referential.levels], action.levels, absent
        )
        if action.pk:
            self.initial["naf_codes"] = ", ".join(action.naf_codes)

    def clean_naf_codes(self):
        codes, problems = parse_naf_targets(self.cleaned_data["naf_codes"])
        if problems:
            raise forms.ValidationError(problems)
        return codes

    def clean(self):
        data = super().clean()
        if data.get("co2_tonnes_per_year") is not None and not (data.get("co2_source") or "").strip():
            self.add_error("co2_source", _("Indiquez d'où vient l'estimation du gain en CO2."))
        code, step = data.get("question_code"), data.get("up_to_step")
        if code and step is not None:
            problem = question_link_problem(self.referential, code, step)
            if problem:
                self.add_error("up_to_step", problem)
        main = data.get("main_theme")
        if main and main in data.get("themes", ()):
            data["themes"] = [code for code in data["themes"] if code != main]
        return data


class StepForm(DsfrForm):
    text = forms.CharField(label=_("Étape"), max_length=500)
    url = forms.URLField(label=_("Lien (facultatif)"), required=False, assume_scheme="https")


def kept_forms(formset):
    """The rows to save: every existing one, changed or not, and the filled new ones, less those ticked to delete."""
    return [
        form
        for index, form in enumerate(formset.forms)
        if (index < formset.initial_form_count() or form.has_changed()) and not formset._should_delete_form(form)
    ]


class BaseStepFormSet(forms.BaseFormSet):
    def ordered_steps(self):
        """(text, url) of the kept steps, in the order staff typed (blank orders keep their place, last)."""
        kept = kept_forms(self)
        positions = {id(form): index for index, form in enumerate(kept)}

        def key(form):
            order = form.cleaned_data.get("ORDER")
            return (order is None, order if order is not None else 0, positions[id(form)])

        return [(form.cleaned_data["text"], form.cleaned_data["url"]) for form in sorted(kept, key=key)]


StepFormSet = forms.formset_factory(StepForm, formset=BaseStepFormSet, extra=2, can_order=True, can_delete=True)


UP_TO_STEP_HELP = _("L'action est proposée quand la réponse est à cet échelon ou en dessous (1 : la plus basse).")


def question_choices(referential):
    """The published questions an action can answer; one that scores nothing (one step) triggers nothing."""
    return [
        (code, f"{code} – {Truncator(question.text).chars(90)} ({question.top_step} échelons)")
        for code, question in referential.questions.items()
        if question.top_step > 1
    ]


class QuestionLinkForm(DsfrForm):
    question_code = forms.ChoiceField(label=_("Question"))
    up_to_step = forms.IntegerField(label=_("Recommandée jusqu'à l'échelon"), min_value=1, help_text=UP_TO_STEP_HELP)

    def __init__(self, *args, referential, **kwargs):
        super().__init__(*args, **kwargs)
        self.referential = referential
        choices = question_choices(referential)
        current = self.initial.get("question_code")
        self.fields["question_code"].choices = [("", _("Choisir une question"))] + _keep_current(
            choices, [current] if current else [], _("absente du référentiel publié")
        )

    def clean(self):
        data = super().clean()
        code, step = data.get("question_code"), data.get("up_to_step")
        if code and step is not None:
            problem = question_link_problem(self.referential, code, step)
            if problem:
                self.add_error("up_to_step" if code in self.referential.questions else "question_code", problem)
        return data


class BaseQuestionLinkFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        codes = [form.cleaned_data["question_code"] for form in kept_forms(self)]
        if not codes:
            raise forms.ValidationError(_("Une action répond à au moins une question du référentiel."))
        for code in codes:
            if codes.count(code) > 1:
                raise forms.ValidationError(_("La question %(code)s est liée deux fois.") % {"code": code})

    def links(self):
        return [(form.cleaned_data["question_code"], form.cleaned_data["up_to_step"]) for form in kept_forms(self)]


QuestionLinkFormSet = forms.formset_factory(QuestionLinkForm, formset=BaseQuestionLinkFormSet, extra=2, can_delete=True)


class ActionLinksForm(DsfrForm):
    prerequisites = forms.ModelMultipleChoiceField(
        label=_("Prérequis"),
        queryset=Action.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les actions à mener avant celle-ci."),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partenaires"), queryset=Partner.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    schemes = forms.ModelMultipleChoiceField(
        label=_("Dispositifs d'aide"),
        queryset=Scheme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prerequisites"].queryset = Action.objects.exclude(pk=action.pk).order_by("code")
        self.fields["prerequisites"].label_from_instance = lambda other: f"{other.code} – {other.title}"
        self.fields["partners"].queryset = Partner.objects.order_by("name")
        self.fields["schemes"].queryset = Scheme.objects.order_by("name")
        self.fields["schemes"].label_from_instance = lambda scheme: (
            f"{scheme.name} ({_('expiré')})" if scheme.is_expired else scheme.name
        )
        for name, empty in (
            ("partners", _("Aucun partenaire pour l'instant : ajoutez-en depuis la page « Partenaires ».")),
            ("schemes", _("Aucun dispositif pour l'instant : ajoutez-en depuis la page « Dispositifs d'aide ».")),
        ):
            if not self.fields[name].queryset.exists():
                self.fields[name].help_text = empty


class ActionFilterForm(DsfrForm):
    theme = forms.ChoiceField(label=_("Thème"), required=False)
    origin = forms.ChoiceField(label=_("Origine"), required=False, choices=[("", _("Toutes"))] + Origin.choices)
    adapted = forms.ChoiceField(label=_("Adaptée localement"), required=False, choices=YES_NO_ALL)
    hidden = forms.ChoiceField(label=_("Masquée"), required=False, choices=YES_NO_ALL)

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("Tous"))] + list(themes)


class PartnerForm(DsfrModelForm):
    class Meta:
        model = Partner
        fields = ["name", "role", "contact", "website"]
        help_texts = {"contact": _("Une personne, un courriel ou un téléphone à joindre.")}


class SchemeForm(DsfrModelForm):
    class Meta:
        model = Scheme
        fields = ["name", "provider", "kind", "url", "conditions", "valid_until", "source_url", "checked_on"]
        widgets = {
            "conditions": forms.Textarea(attrs={"rows": 4}),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "checked_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "valid_until": _("Passée cette date, le dispositif n'est plus montré aux participants."),
            "source_url": _("La page où les informations ont été lues."),
        }
