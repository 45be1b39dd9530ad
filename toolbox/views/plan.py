"""An organisation's action plan, for its members: add a toolbox action, follow and export the plan.

Every page works without JavaScript; htmx only ticks a step in place (the step's form answers
with the step's markup when the request comes from htmx, and with a redirect otherwise).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import display_name
from assett.exports import download
from assett.fragments import cached_each, cached_fragment
from organisations.access import get_organisation_for_user
from referentiel.views.participant import participant_required

from .. import plan, plan_export
from ..access import get_plan_item_for_user, get_plan_step_for_user
from ..forms_plan import DeleteForm, NoteForm, PlanFilterForm, PlanItemForm, StepForm, initial_of
from ..models import Action, PlanItem
from ..plan_summary import describe, grouped, matches, theme_progress
from ..revisions import plan_revision


def _next_or(request, default):
    """The `next` the form sent when it is a page of this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _plan_url(organisation_pk):
    return reverse("toolbox:plan", args=[organisation_pk])


def _item_url(item):
    return reverse("toolbox:plan_item", args=[item.organisation_id, item.pk])


@login_required
@require_POST
def plan_add(request, org_pk, action_pk):
    organisation = get_organisation_for_user(request, org_pk)
    action = get_object_or_404(Action, pk=action_pk)
    try:
        plan.add_action_to_plan(organisation, action, request.user)
    except plan.AlreadyInPlan as error:
        messages.info(request, str(error))
    except plan.PlanError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("« %(title)s » est ajoutée au plan d'actions %(of_organisation)s.")
            % {"title": action.title, "of_organisation": organisation.of_name},
        )
    return redirect(_next_or(request, _plan_url(organisation.pk)))


# The items of a plan with what the page and the exports show beside each: the action's code (its row is
# wide: body, national data, search vector), the steps counted, the owner's and the finisher's names as
# columns (accounts.models.display_name). Written out: the ORM joined the steps and grouped 400 rows by
# every column, and built and compiled its query on every view; 6.5 → 4.5 ms (median of 450 calls)
# for 100 items (bench/bench_plan.py). Django's raw() makes PlanItem instances of its rows, the extra
# columns as attributes. Not read, left deferred: the timestamps of the row's own life (created, updated).
_PLAN_ITEMS = """
SELECT item.id, item.organisation_id, item.action_id, item.title, item.description, item.theme, item.status,
    item.priority, item.owner_id, item.start_date, item.target_date, item.completed_at, item.completed_by_id,
    action.code AS action_code, steps.total AS steps_total, steps.done AS steps_done,
    owner.first_name AS owner_first_name, owner.last_name AS owner_last_name, owner.email AS owner_email,
    finisher.first_name AS completed_by_first_name, finisher.last_name AS completed_by_last_name,
    finisher.email AS completed_by_email
FROM toolbox_planitem AS item
LEFT JOIN toolbox_action AS action ON action.id = item.action_id
LEFT JOIN accounts_user AS owner ON owner.id = item.owner_id
LEFT JOIN accounts_user AS finisher ON finisher.id = item.completed_by_id
CROSS JOIN LATERAL (
    SELECT count(*) AS total, count(step.done_at) AS done FROM toolbox_planstep AS step WHERE step.item_id = item.id
) AS steps
WHERE item.organisation_id = %s
ORDER BY item.id"""


def plan_items(organisation):
    """The plan's items with what the page and the exports show, in one query whatever their number:
    `owner_name` and `completed_by_name` ("" for nobody), `action_code`, `steps_total`, `steps_done`."""
    items = list(PlanItem.objects.raw(_PLAN_ITEMS, [organisation.pk]))
    for item in items:
        for person in ("owner", "completed_by"):
            first, last, email = (getattr(item, f"{person}_{name}") for name in ("first_name", "last_name", "email"))
            setattr(item, f"{person}_name", display_name(first, last, email) if email else "")
    return items


_ROW = "toolbox/plan/_row.html"
# What a row of the plan's tables shows of an item as it is (toolbox/plan_summary.py describe).
ROW_CELLS = ("pk", "title", "theme_title", "badge", "status_label", "overdue", "priority_label")


def _rows(items, organisation_pk, status_filter):
    """Each item's row, kept rendered and found by its own cells (assett/fragments.py): after a change of one
    item of a hundred, one row is rendered again, not a hundred (bench/bench_plan.py). The row's template
    reads nothing but its `row`, which is its key: a kept row is never stale. The rows of each filter are
    kept apart (a filtered page would drop the others). The owner, target date and steps are set as text
    here ("" when there is none)."""
    plan_url = _plan_url(organisation_pk)
    rows = [
        {
            **{name: getattr(item, name) for name in ROW_CELLS},
            "owner": item.owner_name,
            "target": item.target_date.strftime("%d/%m/%Y") if item.target_date else "",
            "steps": f"{item.steps_done}/{item.steps_total}" if item.steps_total else "",
            "plan_url": plan_url,
        }
        for item in items
    ]
    kept = cached_each("plan-rows", (organisation_pk, status_filter), [{"row": row} for row in rows], _ROW)
    for item, html in zip(items, kept, strict=True):
        item.row_html = html
    return items


@login_required
@require_GET
def plan_page(request, org_pk):
    organisation = get_organisation_for_user(request, org_pk)
    filter_form = PlanFilterForm(request.GET or None)
    status_filter = filter_form.cleaned_data["statut"] if filter_form.is_valid() else ""
    today = timezone.localdate()
    themes = plan.published_themes()
    # Read before the items (toolbox/revisions.py). « En retard » moves with the date: it is in the key.
    revision = plan_revision(organisation.pk)

    def content():
        items = describe(plan_items(organisation), themes, today)
        shown = _rows([item for item in items if matches(item, status_filter, today)], organisation.pk, status_filter)
        return {
            "organisation": organisation,
            "filter_form": filter_form,
            "status_filter": status_filter,
            "groups": grouped(shown, today),
            "progress": theme_progress(items, themes),
            "total": len(items),
            "shown": len(shown),
        }

    return render(
        request,
        "toolbox/plan/plan.html",
        {
            "organisation": organisation,
            # Rendering 100 items was two thirds of the page (bench/bench_plan.py): kept until the plan changes.
            "content": cached_fragment(
                "plan", (organisation.pk, revision, today, status_filter, themes), "toolbox/plan/_content.html", content
            ),
            "page_title": _("Plan d'actions"),
        },
    )


@login_required
def plan_create(request, org_pk):
    organisation = get_organisation_for_user(request, org_pk)
    form = PlanItemForm(request.POST or None, organisation=organisation, themes=plan.published_themes(), creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            item = plan.create_plan_item(organisation, request.user, form.item_fields())
        except plan.PlanError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("L'action « %(title)s » est ajoutée au plan.") % {"title": item.title})
            return redirect(_item_url(item))
    return render(
        request,
        "toolbox/plan/create.html",
        {"organisation": organisation, "form": form, "page_title": _("Ajouter une action au plan")},
    )


def _item_themes(item):
    themes = plan.published_themes()
    if item.theme and item.theme not in dict(themes):
        themes.append((item.theme, item.theme))
    return themes


def _item_page(request, item, themes, form=None, step_form=None, note_form=None):
    form = form or PlanItemForm(organisation=item.organisation, themes=themes, initial=initial_of(item))
    describe([item], themes, timezone.localdate())
    return render(
        request,
        "toolbox/plan/item.html",
        {
            "organisation": item.organisation,
            "item": item,
            "form": form,
            "step_form": step_form or StepForm(prefix="etape"),
            "note_form": note_form or NoteForm(prefix="note"),
            "steps": list(item.steps.select_related("done_by")),
            "notes": list(item.notes.select_related("author")),
            "page_title": item.title,
        },
    )


@login_required
def plan_item(request, org_pk, pk):
    item = get_plan_item_for_user(request, org_pk, pk)
    themes = _item_themes(item)
    if request.method != "POST":
        return _item_page(request, item, themes)
    form = PlanItemForm(request.POST, organisation=item.organisation, themes=themes, initial=initial_of(item))
    if form.is_valid():
        try:
            plan.update_plan_item(item, request.user, form.item_fields())
        except plan.PlanError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Les changements sont enregistrés."))
            return redirect(_item_url(item))
    return _item_page(request, item, themes, form=form)


@participant_required
@require_POST
def plan_step(request, org_pk, pk, step_pk):
    step = get_plan_step_for_user(request, org_pk, pk, step_pk)
    plan.set_step_done(step, request.user, done=request.POST.get("done") == "1")
    if request.htmx:
        return render(
            request,
            "toolbox/plan/_step.html",
            {"step": step, "item": step.item, "organisation": step.item.organisation},
        )
    return redirect(_item_url(step.item) + f"#etape-{step.pk}")


@login_required
@require_POST
def plan_step_add(request, org_pk, pk):
    item = get_plan_item_for_user(request, org_pk, pk)
    step_form = StepForm(request.POST, prefix="etape")
    if step_form.is_valid():
        try:
            plan.add_plan_step(item, step_form.cleaned_data["text"], step_form.cleaned_data["url"])
        except plan.PlanError as error:
            step_form.add_error("text", error.errors.get("text", str(error)))
        else:
            messages.success(request, _("L'étape est ajoutée."))
            return redirect(_item_url(item) + "#etapes")
    return _item_page(request, item, _item_themes(item), step_form=step_form)


@login_required
@require_POST
def plan_note_add(request, org_pk, pk):
    item = get_plan_item_for_user(request, org_pk, pk)
    note_form = NoteForm(request.POST, prefix="note")
    if note_form.is_valid():
        try:
            plan.add_plan_note(item, request.user, note_form.cleaned_data["text"])
        except plan.PlanError as error:
            note_form.add_error("text", error.errors.get("text", str(error)))
        else:
            messages.success(request, _("La note est ajoutée."))
            return redirect(_item_url(item) + "#notes")
    return _item_page(request, item, _item_themes(item), note_form=note_form)


@login_required
def plan_delete(request, org_pk, pk):
    item = get_plan_item_for_user(request, org_pk, pk)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan.delete_plan_item(item)
        messages.success(request, _("« %(title)s » est retirée du plan.") % {"title": item.title})
        return redirect(_plan_url(item.organisation_id))
    return render(
        request,
        "toolbox/plan/delete.html",
        {
            "organisation": item.organisation,
            "item": item,
            "form": form,
            "steps": item.steps.count(),
            "notes": item.notes.count(),
            "page_title": _("Retirer une action du plan"),
        },
    )


def _export(request, org_pk, extension):
    organisation = get_organisation_for_user(request, org_pk)
    themes = plan.published_themes()
    today = timezone.localdate()
    table = plan_export.plan_table(describe(plan_items(organisation), themes, today), today)
    return download(table, plan_export.filename(organisation, today), extension)


@login_required
@require_GET
def plan_export_csv(request, org_pk):
    return _export(request, org_pk, "csv")


@login_required
@require_GET
def plan_export_xlsx(request, org_pk):
    return _export(request, org_pk, "xlsx")
