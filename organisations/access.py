"""One door per object: every view fetches organisations through these helpers.

The programme's tools (assessment, results, plan, event registration, reports) are for the
organisations of the territory: one registered outside it waits for its staff to accept it
(Organisation.awaits_acceptance). The door refuses such an organisation with `AwaitsAcceptance`,
which `AwaitsAcceptanceMiddleware` turns into a French message on the organisation's page; its own
management (page, members, edit, delete, leave) passes `programme=False`.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Membership


class AwaitsAcceptance(Exception):
    """The organisation is outside the territory and its staff have not accepted it yet."""

    def __init__(self, organisation):
        super().__init__(organisation.pk)
        self.organisation = organisation


def check_in_programme(organisation):
    if organisation.awaits_acceptance:
        raise AwaitsAcceptance(organisation)
    return organisation


def get_membership_for_user(request, organisation_pk, programme=True):
    """The user's membership of that organisation; 404 when they are not a member.
    With `programme`, an organisation awaiting acceptance raises AwaitsAcceptance."""
    if not request.user.is_authenticated:
        raise Http404
    membership = get_object_or_404(
        Membership.objects.select_related("organisation"), organisation_id=organisation_pk, user=request.user
    )
    if programme:
        check_in_programme(membership.organisation)
    return membership


def get_organisation_for_user(request, organisation_pk, owner=False, programme=True):
    membership = get_membership_for_user(request, organisation_pk, programme=programme)
    if owner and not membership.is_owner:
        raise Http404
    return membership.organisation


def awaiting_message(organisation):
    return _(
        "%(name)s attend la validation de l'équipe du programme : sa commune (%(commune)s) n'est pas "
        "une commune du territoire. L'auto-évaluation, le plan d'actions et les inscriptions aux "
        "événements s'ouvrent dès que l'équipe l'a acceptée."
    ) % {"name": organisation.name, "commune": organisation.commune}


class AwaitsAcceptanceMiddleware:
    """A URL of the programme reached directly by a member of an organisation awaiting acceptance:
    back to the organisation's page with the reason, rather than an error page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, AwaitsAcceptance):
            return None
        organisation = exception.organisation
        messages.warning(request, awaiting_message(organisation))
        url = reverse("organisations:detail", args=[organisation.pk])
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return redirect(url)
