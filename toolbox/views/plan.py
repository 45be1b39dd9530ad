"""An organisation's action plan, for its members: add a toolbox action, follow and export the plan."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organisations.access import get_organisation_for_user

from .. import plan
from ..models import Action


def _next_or(request, default):
    """The `next` the form sent when it is a page of this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


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
            _("« %(title)s » est ajoutée au plan d'actions de %(organisation)s.")
            % {"title": action.title, "organisation": organisation.name},
        )
    return redirect(_next_or(request, reverse("organisations:detail", args=[organisation.pk])))
