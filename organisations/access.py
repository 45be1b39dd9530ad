"""One door per object: every view fetches organisations through these helpers."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Membership


def get_membership_for_user(request, organisation_pk):
    """The user's membership of that organisation; 404 when they are not a member."""
    if not request.user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Membership.objects.select_related("organisation"), organisation_id=organisation_pk, user=request.user
    )


def get_organisation_for_user(request, organisation_pk, owner=False):
    membership = get_membership_for_user(request, organisation_pk)
    if owner and not membership.is_owner:
        raise Http404
    return membership.organisation
