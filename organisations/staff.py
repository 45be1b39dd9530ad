"""Territory staff's own pages on organisations: their home (what is new, who is stuck) and an
organisation's page as staff see it. The list (views.staff_list) links to the latter."""

from datetime import timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from referentiel.enums import AssessmentStatus
from referentiel.models import ANSWERED, Answer, Assessment
from tenants.permissions import staff_required
from toolbox.enums import PlanStatus

from .enums import MembershipRole
from .models import Membership, Organisation

# Without a previous visit, « what is new » covers this long.
FIRST_VISIT_WINDOW = timedelta(days=30)
# An assessment left in progress this long is « stuck »: staff may call the organisation.
STUCK_AFTER = timedelta(days=30)
LISTED = 10

# The organisations list's sort orders (?tri=…), each with a tie-break for stable pages.
LIST_ORDERS = {
    "nom": ("name", "pk"),
    "recentes": ("-created_at", "pk"),
    "statut": (F("latest_status").asc(nulls_first=True), F("latest_submitted_at").desc(nulls_last=True), "name"),
}

SORT_LABELS = [("nom", _("nom")), ("recentes", _("inscription, les plus récentes")), ("statut", _("auto-évaluation"))]


def with_status_and_contact(organisations):
    """Annotate the latest assessment's status and date and the first owner's name and address,
    in the list's one query (subqueries, whatever the number of rows)."""
    latest = Assessment.objects.filter(organisation=OuterRef("pk")).order_by("-started_at")
    owner = Membership.objects.filter(organisation=OuterRef("pk"), role=MembershipRole.OWNER).order_by("created_at")
    return organisations.annotate(
        latest_status=Subquery(latest.values("status")[:1]),
        latest_submitted_at=Subquery(latest.values("submitted_at")[:1]),
        latest_level=Subquery(latest.values("level_rank")[:1]),
        contact_email=Subquery(owner.values("user__email")[:1]),
        contact_first_name=Subquery(owner.values("user__first_name")[:1]),
        contact_last_name=Subquery(owner.values("user__last_name")[:1]),
    )


def answered_count():
    """An assessment's answered questions (referentiel.models.ANSWERED), as a subquery to annotate."""
    answers = Answer.objects.filter(ANSWERED, assessment=OuterRef("pk")).values("assessment")
    return Coalesce(Subquery(answers.annotate(count=Count("pk")).values("count")), 0)


def staff_home(request):
    """/mon-espace/ for staff and admins (organisations.views.dashboard sends them here)."""
    now = timezone.now()
    since = request.user.staff_home_seen_at or now - FIRST_VISIT_WINDOW
    new_organisations = Organisation.objects.filter(created_at__gt=since).order_by("-created_at")
    started = Assessment.objects.filter(started_at__gt=since)
    submitted = (
        Assessment.objects.filter(status=AssessmentStatus.SUBMITTED, submitted_at__gt=since)
        .select_related("organisation")
        .order_by("-submitted_at")
    )
    stuck = (
        Assessment.objects.filter(status=AssessmentStatus.IN_PROGRESS, updated_at__lt=now - STUCK_AFTER)
        .select_related("organisation")
        .annotate(answered=answered_count())
        .order_by("updated_at")
    )
    to_accept = Organisation.objects.filter(outside_territory=True, accepted_at=None).order_by("created_at")
    first_to_accept = list(to_accept[:LISTED])  # counted only when the list is full: one query most days
    context = {
        "to_accept": first_to_accept,
        "to_accept_count": len(first_to_accept) if len(first_to_accept) < LISTED else to_accept.count(),
        "since": since,
        "first_visit": request.user.staff_home_seen_at is None,
        "new_organisations": new_organisations[:LISTED],
        "new_organisations_count": new_organisations.count(),
        "started_count": started.count(),
        "submitted": submitted[:LISTED],
        "submitted_count": submitted.count(),
        "stuck": stuck[:LISTED],
        "stuck_count": stuck.count(),
        "stuck_days": STUCK_AFTER.days,
    }
    User.objects.filter(pk=request.user.pk).update(staff_home_seen_at=now)
    return render(request, "organisations/staff/home.html", context)


@staff_required
def staff_organisation(request, pk):
    organisation = get_object_or_404(Organisation.objects.select_related("accepted_by"), pk=pk)
    memberships = organisation.memberships.select_related("user").order_by("role", "user__last_name")
    assessments = (
        organisation.assessments.select_related("version").annotate(answered=answered_count()).order_by("-started_at")
    )
    plan = organisation.plan_items.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=PlanStatus.DONE)),
        in_progress=Count("pk", filter=Q(status=PlanStatus.IN_PROGRESS)),
    )
    return render(
        request,
        "organisations/staff/detail.html",
        {"organisation": organisation, "memberships": memberships, "assessments": assessments, "plan": plan},
    )
