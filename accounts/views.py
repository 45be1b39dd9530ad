"""« Mon compte »: a person's account page, the download of their data, the deletion of their account."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from organisations.models import Membership

from . import personal_data
from .forms import DeleteAccountForm
from .services import AccountError


@login_required
def overview(request):
    memberships = (
        Membership.objects.filter(user=request.user).select_related("organisation").order_by("organisation__name")
    )
    return render(request, "accounts/overview.html", {"memberships": memberships})


@never_cache
@login_required
def export(request):
    data = personal_data.export_personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = f"mes-donnees-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def delete(request):
    blocking = personal_data.organisations_blocking_deletion(request.user)
    last_admin = personal_data.is_last_territory_admin(request.user)
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and not blocking and not last_admin and form.is_valid():
        try:
            personal_data.delete_account(request.user, request)
        except AccountError as error:
            messages.error(request, str(error))
            return redirect("accounts:delete")
        logout(request)
        messages.success(request, _("Votre compte est supprimé, avec les données personnelles qui s'y rattachaient."))
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form, "blocking": blocking, "last_admin": last_admin})
