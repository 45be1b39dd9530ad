"""Territory staff adapt their toolbox: the list of actions, the action editor, partners and schemes.

Views stay thin: they fetch (staff only, a 404 for anyone else: tenants.permissions.staff_required;
each territory's rows live in its own schema), validate forms and call toolbox/authoring.py.
"""

import copy
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from organisations.enums import HeadcountBand, OrganisationKind
from tenants.permissions import staff_required

from .. import adaptation, authoring
from ..authoring import ToolboxError
from ..constants import NATIONAL_ACTION_FIELDS
from ..enums import CostBand, Duration, ImpactTier, Origin
from ..forms_staff import (
    ActionFilterForm,
    ActionForm,
    ActionLinksForm,
    PartnerForm,
    QuestionLinkFormSet,
    SchemeForm,
    StepFormSet,
)
from ..models import Action, Partner, Scheme
from ..naf_targets import naf_target_label
from ..referential_links import published_referential

# ---- fetching: staff only (the decorator), one door per object ---------------------------------


def _action(pk):
    return get_object_or_404(Action, pk=pk)


def _action_url(action, page="toolbox:staff_action_edit"):
    return reverse(page, args=[action.pk])


def _list_url(action=None):
    url = reverse("toolbox:staff_actions")
    return f"{url}#action-{action.pk}" if action else url


# ---- how a national value reads, beside the territory's --------------------------------------


CHOICE_LABELS = {
    "cost": dict(CostBand.choices),
    "duration": dict(Duration.choices),
    "impact": dict(ImpactTier.choices),
    "organisation_kinds": dict(OrganisationKind.choices),
    "headcount_bands": dict(HeadcountBand.choices),
}


def _national_lines(name, value, referential):
    """The national value of field `name`, as lines of text for the editor (never as HTML)."""
    if name == "steps":
        return [
            f"{index}. {step['text']}" + (f" ({step['url']})" if step["url"] else "")
            for index, step in enumerate(value, 1)
        ]
    if name == "questions":
        return [
            _("%(code)s jusqu'à l'échelon %(step)s") % {"code": link["code"], "step": link["up_to_step"]}
            for link in value
        ]
    if name in ("main_theme", "themes"):
        codes = [value] if name == "main_theme" else value
        return [
            f"{code} – {referential.theme_title(code)}" if referential.theme_title(code) else code for code in codes
        ]
    if name == "levels":
        names = dict(referential.levels)
        return [f"{rank} – {names.get(rank, '')}".rstrip(" –") for rank in value]
    if name == "naf_codes":
        return [naf_target_label(code) for code in value]
    if name in CHOICE_LABELS:
        labels = CHOICE_LABELS[name]
        return [str(labels.get(item, item)) for item in (value if isinstance(value, list) else [value])]
    if isinstance(value, list):
        return [str(item) for item in value]
    if value is None:
        return [_("(vide)")]
    return str(value).splitlines() or [_("(vide)")]


@dataclass
class Adaptation:
    """What the editor says of one national field: adapted or not, and the national value if known."""

    name: str
    adapted: bool
    national: list | None  # lines, or None when national_data does not hold the field

    @property
    def revertable(self):
        return self.adapted and self.national is not None


def _adaptation(action, name, referential):
    if action.origin != Origin.NATIONAL or name not in NATIONAL_ACTION_FIELDS:
        return None
    national = None
    if adaptation.has_national_value(action, name):
        national = _national_lines(name, adaptation.national_value(action, name), referential)
    return Adaptation(name=name, adapted=name in action.adapted_fields, national=national)


# ---- the list ------------------------------------------------------------------------------------


def _filtered_actions(form):
    # The columns the list shows: bodies and national data stay in the database.
    actions = (
        Action.objects.only("code", "title", "origin", "main_theme", "hidden", "order", "adapted_fields")
        .annotate(plan_count=Count("plan_items"))
        .order_by("order", "code")
    )
    if not form.is_bound:
        return actions, True
    if not form.is_valid():
        return actions, False
    data = form.cleaned_data
    if data["theme"]:
        actions = actions.filter(main_theme=data["theme"])
    if data["origin"]:
        actions = actions.filter(origin=data["origin"])
    if data["adapted"] == "oui":
        actions = actions.exclude(adapted_fields=[])
    elif data["adapted"] == "non":
        actions = actions.filter(adapted_fields=[])
    if data["hidden"]:
        actions = actions.filter(hidden=data["hidden"] == "oui")
    # Moving an action swaps it with its neighbour in its theme: only meaningful on the full list.
    can_move = not (data["origin"] or data["adapted"] or data["hidden"])
    return actions, can_move


def _grouped_by_theme(actions, referential):
    """(theme code, title, actions) in the referential's theme order; themes it lacks come last."""
    groups = {}
    for action in actions:
        groups.setdefault(action.main_theme, []).append(action)
    order = [code for code, _title in referential.themes]
    codes = sorted(groups, key=lambda code: (order.index(code) if code in order else len(order), code))
    return [(code, referential.theme_title(code), groups[code]) for code in codes]


@staff_required
@require_safe
def action_list(request):
    referential = published_referential()
    form = ActionFilterForm(request.GET or None, themes=referential.themes)
    actions, can_move = _filtered_actions(form)
    actions = list(actions)
    return render(
        request,
        "toolbox/staff/action_list.html",
        {
            "page_title": _("Boîte à outils"),
            "form": form,
            "groups": _grouped_by_theme(actions, referential),
            "count": len(actions),
            "can_move": can_move,
            "filtered": form.is_bound,
        },
    )


@staff_required
@require_POST
def action_move(request, pk):
    action = _action(pk)
    try:
        authoring.move_action(action, request.POST.get("direction", ""))
    except ToolboxError as error:
        messages.error(request, str(error))
    return redirect(_list_url(action))


@staff_required
@require_POST
def action_visibility(request, pk):
    action = _action(pk)
    hidden = request.POST.get("hidden") == "1"
    authoring.set_hidden(action, hidden)
    if hidden:
        messages.success(
            request,
            _("L'action %(code)s est masquée : les participants ne la voient plus ; les plans qui l'ont la gardent.")
            % {"code": action.code},
        )
    else:
        messages.success(request, _("L'action %(code)s est de nouveau visible.") % {"code": action.code})
    return redirect(_action_url(action) if request.POST.get("next") == "edit" else _list_url(action))


# ---- one action: main fields ---------------------------------------------------------------------


def _field_rows(form, action, referential):
    return [(field, _adaptation(action, field.name, referential) if action else None) for field in form]


def _editor_page(request, action, form, referential, *, preview=None):
    return render(
        request,
        "toolbox/staff/action_form.html",
        {
            "page_title": action.title if action else _("Nouvelle action locale"),
            "action": action,
            "form": form,
            "rows": _field_rows(form, action, referential),
            "preview": preview,
        },
    )


@staff_required
def action_create(request):
    referential = published_referential()
    form = ActionForm(request.POST or None, referential=referential, first_question=True)
    preview = None
    if request.method == "POST" and "apercu" in request.POST:
        preview = request.POST.get("body", "")
    elif request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        link = (fields.pop("question_code"), fields.pop("up_to_step"))
        try:
            action = authoring.create_action(question_links=[link], referential=referential, **fields)
        except ToolboxError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("L'action %(code)s est créée : ajoutez-lui maintenant ses étapes.") % {"code": action.code}
            )
            return redirect(_action_url(action, "toolbox:staff_action_steps"))
    return _editor_page(request, None, form, referential, preview=preview)


@staff_required
def action_edit(request, pk):
    action = _action(pk)
    referential = published_referential()
    form = ActionForm(request.POST or None, instance=copy.copy(action), referential=referential)
    preview = None
    if request.method == "POST" and "apercu" in request.POST:
        preview = request.POST.get("body", "")
    elif request.method == "POST" and form.is_valid():
        try:
            authoring.update_action(action, **form.cleaned_data)
        except ToolboxError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("L'action est enregistrée."))
            return redirect(_action_url(action))
    return _editor_page(request, action, form, referential, preview=preview)


@staff_required
@require_POST
def action_revert(request, pk):
    action = _action(pk)
    name = request.POST.get("field", "")
    try:
        authoring.revert_field(action, name)
    except ToolboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Ce champ a repris sa version nationale."))
    back = {
        "steps": "toolbox:staff_action_steps",
        "questions": "toolbox:staff_action_questions",
        "prerequisites": "toolbox:staff_action_links",
    }
    return redirect(_action_url(action, back.get(name, "toolbox:staff_action_edit")))


# ---- one action: steps, questions, links ---------------------------------------------------------


def _sub_page(request, action, template, context):
    return render(request, f"toolbox/staff/{template}", {"page_title": action.title, "action": action, **context})


@staff_required
def action_steps(request, pk):
    action = _action(pk)
    initial = [{"text": step.text, "url": step.url, "ORDER": index} for index, step in enumerate(action.steps.all(), 1)]
    formset = StepFormSet(request.POST or None, initial=initial, prefix="etapes")
    if request.method == "POST" and formset.is_valid():
        try:
            authoring.update_steps(action, formset.ordered_steps())
        except ToolboxError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Les étapes sont enregistrées."))
            return redirect(_action_url(action, "toolbox:staff_action_steps"))
    return _sub_page(
        request,
        action,
        "action_steps.html",
        {"formset": formset, "adaptation": _adaptation(action, "steps", published_referential())},
    )


@staff_required
def action_questions(request, pk):
    action = _action(pk)
    referential = published_referential()
    initial = [
        {"question_code": link.question_code, "up_to_step": link.up_to_step}
        for link in action.question_links.order_by("question_code")
    ]
    formset = QuestionLinkFormSet(
        request.POST or None, initial=initial, prefix="questions", form_kwargs={"referential": referential}
    )
    if request.method == "POST" and formset.is_valid():
        try:
            authoring.update_questions(action, formset.links(), referential=referential)
        except ToolboxError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Les questions liées sont enregistrées."))
            return redirect(_action_url(action, "toolbox:staff_action_questions"))
    return _sub_page(
        request,
        action,
        "action_questions.html",
        {"formset": formset, "adaptation": _adaptation(action, "questions", referential)},
    )


@staff_required
def action_links(request, pk):
    action = _action(pk)
    initial = {
        "prerequisites": list(action.prerequisites.all()),
        "partners": list(action.partners.all()),
        "schemes": list(action.schemes.all()),
    }
    # Every box unticked posts nothing but the token: a POST is bound even when empty.
    data = request.POST if request.method == "POST" else None
    form = ActionLinksForm(data, initial=initial, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.update_links(action, **form.cleaned_data)
        except ToolboxError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Les prérequis, partenaires et dispositifs sont enregistrés."))
            return redirect(_action_url(action, "toolbox:staff_action_links"))
    return _sub_page(
        request,
        action,
        "action_links.html",
        {"form": form, "adaptation": _adaptation(action, "prerequisites", published_referential())},
    )


# ---- partners and schemes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """Partners and schemes are edited alike: what differs between the two is said here."""

    model: type
    form: type
    create: object
    update: object
    delete: object
    list_url: str
    edit_url: str
    delete_url: str
    template: str
    singular: str
    plural: str
    created: str
    saved: str
    deleted: str


PARTNERS = Kind(
    model=Partner,
    form=PartnerForm,
    create=authoring.create_partner,
    update=authoring.update_partner,
    delete=authoring.delete_partner,
    list_url="toolbox:staff_partners",
    edit_url="toolbox:staff_partner_edit",
    delete_url="toolbox:staff_partner_delete",
    template="toolbox/staff/partner_list.html",
    singular=gettext_lazy("partenaire"),
    plural=gettext_lazy("Partenaires"),
    created=gettext_lazy("Le partenaire est ajouté."),
    saved=gettext_lazy("Le partenaire est enregistré."),
    deleted=gettext_lazy("Le partenaire est supprimé."),
)
SCHEMES = Kind(
    model=Scheme,
    form=SchemeForm,
    create=authoring.create_scheme,
    update=authoring.update_scheme,
    delete=authoring.delete_scheme,
    list_url="toolbox:staff_schemes",
    edit_url="toolbox:staff_scheme_edit",
    delete_url="toolbox:staff_scheme_delete",
    template="toolbox/staff/scheme_list.html",
    singular=gettext_lazy("dispositif"),
    plural=gettext_lazy("Dispositifs d'aide"),
    created=gettext_lazy("Le dispositif est ajouté."),
    saved=gettext_lazy("Le dispositif est enregistré."),
    deleted=gettext_lazy("Le dispositif est supprimé."),
)


def _kind_list(request, kind):
    rows = list(kind.model.objects.annotate(action_count=Count("actions")).order_by("name"))
    return render(request, kind.template, {"page_title": kind.plural, "rows": rows})


def _kind_form(request, kind, instance=None):
    form = kind.form(request.POST or None, instance=copy.copy(instance) if instance else None)
    if request.method == "POST" and form.is_valid():
        try:
            if instance:
                kind.update(instance, **form.cleaned_data)
            else:
                kind.create(**form.cleaned_data)
        except ToolboxError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, kind.saved if instance else kind.created)
            return redirect(kind.list_url)
    if instance:
        heading = _("Modifier : %(name)s") % {"name": instance.name}
    else:
        heading = _("Ajouter un %(kind)s") % {"kind": kind.singular}
    return render(
        request,
        "toolbox/staff/kind_form.html",
        {
            "page_title": heading,
            "heading": heading,
            "form": form,
            "instance": instance,
            "back_url": reverse(kind.list_url),
            "delete_url": reverse(kind.delete_url, args=[instance.pk]) if instance else "",
            "actions": list(instance.actions.order_by("code")) if instance else [],
        },
    )


def _kind_delete(request, kind, instance):
    if request.method == "POST":
        try:
            kind.delete(instance)
        except ToolboxError as error:
            messages.error(request, str(error))
            return redirect(kind.edit_url, instance.pk)
        messages.success(request, kind.deleted)
        return redirect(kind.list_url)
    return render(
        request,
        "toolbox/staff/confirm_delete.html",
        {
            "page_title": _("Supprimer : %(name)s") % {"name": instance.name},
            "heading": _("Supprimer « %(name)s » ?") % {"name": instance.name},
            "actions": list(instance.actions.order_by("code")),
            "back_url": reverse(kind.edit_url, args=[instance.pk]),
        },
    )


@staff_required
@require_safe
def partner_list(request):
    return _kind_list(request, PARTNERS)


@staff_required
def partner_create(request):
    return _kind_form(request, PARTNERS)


@staff_required
def partner_edit(request, pk):
    return _kind_form(request, PARTNERS, get_object_or_404(Partner, pk=pk))


@staff_required
def partner_delete(request, pk):
    return _kind_delete(request, PARTNERS, get_object_or_404(Partner, pk=pk))


@staff_required
@require_safe
def scheme_list(request):
    return _kind_list(request, SCHEMES)


@staff_required
def scheme_create(request):
    return _kind_form(request, SCHEMES)


@staff_required
def scheme_edit(request, pk):
    return _kind_form(request, SCHEMES, get_object_or_404(Scheme, pk=pk))


@staff_required
def scheme_delete(request, pk):
    return _kind_delete(request, SCHEMES, get_object_or_404(Scheme, pk=pk))
