"""The toolbox as participants see it: the list (search and filters) and an action's page.

The toolbox is the territory's public offer: anyone may browse it, signed in or not (the permission
table, tests/test_permissions.py, says so). Hidden actions never appear, and their page is a 404.
"""

import math
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from assett.fragments import cached_fragment, cached_value
from assett.pagination import page_number
from organisations.enums import OrganisationKind
from referentiel.services import current_version

from ..access import get_visible_action
from ..constants import PEER_PROOF_MINIMUM
from ..enums import CostBand, Duration, ImpactTier, PlanStatus
from ..forms_browse import BrowseForm
from ..labels import labels_of, published_labels
from ..models import PlanItem, Scheme
from ..plan import plan_organisations
from ..revisions import toolbox_revision
from ..search import find, has_highlight, has_words, highlight_html, visible_actions

PAGE_SIZE = 20
CARD_BANDS = {"duration": Duration, "cost": CostBand, "impact": ImpactTier}


@require_safe
def action_list(request):
    # The list is kept until the toolbox changes (toolbox/revisions.py, read first) or, for a member, what
    # its « ajouter à mon plan » buttons show: their organisations' names and the actions of their plans
    # (read in one query, and handed to the list when it is rendered). A visitor's list is everyone's.
    # The forms take the reader's CSRF token. The key holds the whole query string, which is all the
    # fragment reads of the request. What the query string finds is kept apart, under the same key but
    # the plans: a member who adds an action gets the same cards again, with new buttons, unsearched.
    version = current_version()
    organisations = plan_organisations(request.user)
    found = (toolbox_revision(), version and version.pk, timezone.localdate(), sorted(request.GET.lists()))
    plans = [(org.pk, org.name, sorted(org.planned_action_ids)) for org in organisations]
    content = cached_fragment(
        "toolbox-list",
        (*found, plans),
        _RESULTS,
        lambda: _results_context(request, version, found, organisations),
        csrf_request=request,
    )
    return render(request, "toolbox/browse/list.html", {"content": content, "page_title": _("Boîte à outils")})


_RESULTS = "toolbox/browse/_results.html"
_SEARCH_FORM = "toolbox/browse/_search_form.html"


def _results_context(request, version, found_parts, organisations):
    labels = labels_of(version)
    form = BrowseForm(request.GET, labels=labels)
    form.is_valid()  # the valid fields filter, the invalid ones show their error
    found = cached_value("toolbox-found", found_parts, lambda: _found(form, labels, request.GET.get("page")))
    query = found["query"]
    filtered = any(form.cleaned_data.get(name) for name in form.fields if name != "q")
    return {
        "form": form,
        "query": query,
        # The search box and filters show the query string and the referential's labels only: kept
        # when the toolbox changes (a tenth of the list's first view after a change, bench_toolbox_search).
        "form_html": cached_fragment(
            "toolbox-form",
            (version and version.pk, sorted(request.GET.lists())),
            _SEARCH_FORM,
            {"form": form, "query": query, "filtered": filtered},
        ),
        # The kept cards on a page whose paginator only counts (for the heading and the pagination).
        "page": Page(found["cards"], found["number"], Paginator(range(found["count"]), PAGE_SIZE)),
        "stop_words_only": found["stop_words_only"],
        # The « ajouter à mon plan » buttons of every card (toolbox/plan.py).
        "organisations": organisations,
        # The pagination's links keep the query string.
        "request": request,
    }


def _found(form, labels, number):
    """The page of actions that the form's filters and search find, as plain data: its cards' texts,
    the page's number and the number of actions found."""
    filters, query, stop_words_only = form.filters(), form.query(), False
    number = page_number(number)

    def found_on(page):
        return find(filters, query, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)

    found = found_on(number)
    if query and not found.rows and not has_words(query):  # « le la de »: the list unsearched, and said so
        stop_words_only, query = True, ""
        found = found_on(number)
    if not found.rows and number > 1:  # past the end: the last page, as Paginator.get_page does
        number = max(1, math.ceil(find(filters, query, limit=1).count / PAGE_SIZE))
        found = found_on(number)
    # Each label translated once per page, not three times per card (get_FOO_display is lazy gettext).
    bands = {field: {value: str(label) for value, label in enum.choices} for field, enum in CARD_BANDS.items()}
    cards = [
        {
            "pk": row["id"],
            "code": row["code"],
            "title": row["title"],
            "theme_name": labels.theme_name(row["main_theme"]),
            "has_free_support": row["has_free_support"],
            "bands": " · ".join(bands[field][row[field]] for field in CARD_BANDS),
            **_fragments(row, bool(query)),
        }
        for row in found.rows
    ]
    return {
        "cards": cards,
        "number": number,
        "count": found.count,
        "query": query,
        "stop_words_only": stop_words_only,
    }


def _fragments(row, searched):
    """The card's title and promise (highlighted when searched), and an excerpt when the body or the
    steps matched: safe HTML from highlight_html, or plain text that the template escapes."""
    if not searched:
        return {"title_html": row["title"], "promise_html": row["promise"], "excerpt_html": ""}
    excerpt = row["excerpt_fragment"]
    return {
        "title_html": highlight_html(row["title_fragment"]),
        "promise_html": highlight_html(row["promise_fragment"]),
        "excerpt_html": highlight_html(excerpt) if has_highlight(excerpt) else "",
    }


@require_safe
def action_detail(request, code):
    action = get_visible_action(request, code)
    labels = published_labels()
    prefetch_related_objects(
        [action],
        "steps",
        "partners",
        "question_links",
        # An expired scheme is never shown; a hidden prerequisite would be a link to a 404.
        Prefetch("schemes", queryset=Scheme.objects.current(), to_attr="current_schemes"),
        Prefetch("prerequisites", queryset=visible_actions().only("code", "title"), to_attr="visible_prerequisites"),
    )
    done_by = PlanItem.objects.filter(action=action, status=PlanStatus.DONE).values("organisation").distinct().count()
    questions = [
        labels.questions[link.question_code]
        for link in sorted(action.question_links.all(), key=lambda link: link.question_code)
        if link.question_code in labels.questions
    ]
    return render(
        request,
        "toolbox/browse/detail.html",
        {
            "action": action,
            "themes": [labels.theme_name(code) for code in [action.main_theme, *action.themes]],
            "levels": [labels.level_name(rank) for rank in sorted(action.levels)],
            "kinds": [OrganisationKind(kind).label for kind in action.organisation_kinds],
            "questions": questions,
            "peer_count": done_by if done_by >= PEER_PROOF_MINIMUM else None,
            "co2_tonnes": _plain_decimal(action.co2_tonnes_per_year),
            "organisations": plan_organisations(request.user),
            "page_title": action.title,
            "page_description": f"{action.title} : {action.promise}",
        },
    )


def _plain_decimal(value):
    """2.50 → 2.5 and 12.00 → 12 (never 1.2E+1), localised by the template: « 2,5 tCO2e »."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
