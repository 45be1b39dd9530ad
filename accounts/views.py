"""« Mon compte »: a person's account page, the download of their data, the deletion of their account."""

import json

from allauth.account.models import EmailAddress
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
from .forms import DeleteAccountForm, NamesForm, NotificationsForm
from .services import AccountError, rename_user, set_notifications


@login_required
def overview(request):
    user = request.user
    # Two forms on the page: the notifications' names its action, the names' is the default.
    posted_notifications = request.method == "POST" and request.POST.get("action") == "notifications"
    names_data = request.POST if request.method == "POST" and not posted_notifications else None
    names_form = NamesForm(names_data, initial={"first_name": user.first_name, "last_name": user.last_name})
    if names_form.is_bound and names_form.is_valid():
        rename_user(user, names_form.cleaned_data["first_name"], names_form.cleaned_data["last_name"])
        messages.success(request, _("Vos nom et prénom sont enregistrés."))
        return redirect("accounts:overview")
    notifications_form = None
    if user.is_territory_staff:
        notifications_form = NotificationsForm(
            request.POST if posted_notifications else None, initial={"notify_submissions": user.notify_submissions}
        )
        if notifications_form.is_bound and notifications_form.is_valid():
            set_notifications(user, notify_submissions=notifications_form.cleaned_data["notify_submissions"])
            messages.success(request, _("Vos préférences de courriel sont enregistrées."))
            return redirect("accounts:overview")
    memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")
    return render(
        request,
        "accounts/overview.html",
        {
            "memberships": memberships,
            "names_form": names_form,
            "notifications_form": notifications_form,
            # allauth keeps the address being changed to as a second, unverified address until it is confirmed.
            "pending_email": EmailAddress.objects.get_new(user),
        },
    )


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
