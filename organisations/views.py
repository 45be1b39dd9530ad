from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tenants.permissions import staff_required

from . import search, services, staff
from .access import get_membership_for_user, get_organisation_for_user
from .constants import INVITATION_VALIDITY
from .enums import InvitationState, JoinRequestStatus, MembershipRole
from .forms import (
    DeleteOrganisationForm,
    InvitationForm,
    JoinRequestForm,
    JoinSearchForm,
    OrganisationForm,
    StaffFilterForm,
)
from .models import Invitation, JoinRequest, Membership, Organisation
from .validators import normalize_identifier


@login_required
def dashboard(request):
    if request.user.is_territory_staff:  # staff follow the territory's organisations, they have none of their own
        return staff.staff_home(request)
    memberships = Membership.objects.filter(user=request.user).select_related("organisation")
    pending_requests = JoinRequest.objects.filter(user=request.user, status=JoinRequestStatus.PENDING).select_related(
        "organisation"
    )
    invitations = Invitation.objects.pending().filter(email=request.user.email).select_related("organisation")
    return render(
        request,
        "organisations/dashboard.html",
        {"memberships": memberships, "pending_requests": pending_requests, "invitations": invitations},
    )


def _save_organisation(form, save):
    """Run `save` on the form's data; an organisation registered meanwhile with the same SIRET
    becomes the form's error, like the one its clean_siret finds."""
    try:
        return save(**form.organisation_fields())
    except services.AlreadyRegistered as error:
        form.registered_organisation = error.organisation
        form.add_error("siret", str(error))
        return None


def _organisation_form_page(request, form, context):
    """The form, and, when its SIRET is already registered, the way to ask to join that organisation.

    The join offer names the organisation as the join search does for a full SIRET, and counts as one
    of those searches: the form must not become a way around the search's rate limit.
    """
    registered = form.registered_organisation
    if registered is not None and not search.consume_join_search(request.user):
        registered = None
    is_member = registered is not None and registered.memberships.filter(user=request.user).exists()
    return render(
        request,
        "organisations/form.html",
        {"form": form, "registered": registered, "registered_is_member": is_member, **context},
    )


def _organisation_form(request, instance=None):
    """The form as posted, or, when the person asked for the communes of the postal code typed in
    (the button shown without JavaScript), the same values unchecked with that list to choose from."""
    if request.method == "POST" and request.POST.get("action") == "communes":
        return OrganisationForm(initial=request.POST.dict(), instance=instance)
    return OrganisationForm(request.POST or None, instance=instance)


def _outside_territory_message(request, organisation):
    if organisation.awaits_acceptance:
        messages.warning(
            request,
            _(
                "%(commune)s n'est pas une commune %(territory)s : l'équipe du programme va examiner "
                "l'inscription %(of_name)s et l'accepter."
            )
            % {"commune": organisation.commune, "territory": request.tenant.of_name, "of_name": organisation.of_name},
        )


@login_required
def create(request):
    form = _organisation_form(request)
    if form.is_bound and form.is_valid():
        organisation = _save_organisation(form, lambda **fields: services.create_organisation(request.user, **fields))
        if organisation is not None:
            messages.success(request, _("L'organisation %(name)s est créée.") % {"name": organisation.name})
            _outside_territory_message(request, organisation)
            return redirect("organisations:detail", pk=organisation.pk)
    return _organisation_form_page(request, form, {"creating": True})


@login_required
def edit(request, pk):
    organisation = get_organisation_for_user(request, pk, owner=True, programme=False)
    form = _organisation_form(request, instance=organisation)
    if form.is_bound and form.is_valid():
        saved = _save_organisation(form, lambda **fields: services.update_organisation(organisation, **fields))
        if saved is not None:
            messages.success(request, _("Les informations de l'organisation sont enregistrées."))
            _outside_territory_message(request, saved)
            return redirect("organisations:detail", pk=organisation.pk)
    return _organisation_form_page(request, form, {"organisation": organisation})


@login_required
@require_GET
def commune_field(request):
    """The commune's list for the postal code typed in, as the form shows it (htmx swaps it in)."""
    form = OrganisationForm(initial={"postal_code": request.GET.get("postal_code", "")})
    return render(request, "organisations/includes/commune_field.html", {"field": form["commune"]})


@login_required
def detail(request, pk):
    membership = get_membership_for_user(request, pk, programme=False)
    organisation = membership.organisation
    context = {
        "organisation": organisation,
        "membership": membership,
        "members": organisation.memberships.select_related("user").order_by("role", "user__email"),
        # The last owner cannot leave (services.remove_member refuses): do not offer it.
        "can_leave": not membership.is_owner
        or organisation.memberships.filter(role=MembershipRole.OWNER).exclude(pk=membership.pk).exists(),
    }
    if membership.is_owner:
        context.update(
            invitation_form=InvitationForm(),
            invitations=organisation.invitations.open().order_by("-sent_at"),
            join_requests=organisation.join_requests.pending().select_related("user"),
        )
    return render(request, "organisations/detail.html", context)


@login_required
@require_POST
def invite(request, pk):
    organisation = get_organisation_for_user(request, pk, owner=True, programme=False)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invite_member(organisation, request.user, form.cleaned_data["email"])
        except services.OrganisationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("L'invitation est enregistrée ; le courriel est en route vers %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
    else:
        messages.error(request, _("Indiquez une adresse électronique valide."))
    return redirect("organisations:detail", pk=organisation.pk)


@login_required
@require_POST
def cancel_invitation(request, pk, invitation_pk):
    organisation = get_organisation_for_user(request, pk, owner=True, programme=False)
    services.cancel_invitation(get_object_or_404(organisation.invitations.open(), pk=invitation_pk))
    messages.success(request, _("L'invitation est annulée."))
    return redirect("organisations:detail", pk=organisation.pk)


@login_required
@require_POST
def resend_invitation(request, pk, invitation_pk):
    organisation = get_organisation_for_user(request, pk, owner=True, programme=False)
    invitation = get_object_or_404(organisation.invitations.open(), pk=invitation_pk)
    services.resend_invitation(invitation, request.user)
    messages.success(
        request,
        _("Une nouvelle invitation est envoyée à %(email)s ; l'ancien lien ne fonctionne plus.")
        % {"email": invitation.email},
    )
    return redirect("organisations:detail", pk=organisation.pk)


def accept_invitation(request, token):
    # The link tells anyone who holds it (they received the email) that it no longer works, before
    # asking them to sign in or create an account for nothing.
    invitation = Invitation.objects.select_related("organisation").filter(token=token).first()
    if invitation is None or invitation.state != InvitationState.PENDING:
        return _invitation_unavailable(request, invitation)
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        # Say what the invitation is for before asking anyone to sign in or create an account.
        return render(request, "organisations/accept_invitation.html", {"invitation": invitation})
    if request.method == "POST":
        try:
            services.accept_invitation(token, request.user)
        except services.OrganisationError as error:
            messages.error(request, str(error))
            return redirect("organisations:dashboard")
        messages.success(request, _("Vous avez rejoint %(name)s.") % {"name": invitation.organisation.name})
        return redirect("organisations:detail", pk=invitation.organisation_id)
    return render(request, "organisations/accept_invitation.html", {"invitation": invitation})


def _invitation_unavailable(request, invitation):
    """A page that says why the link no longer works and what to do; 404 for a token we do not know
    (a mistyped link, or one from another territory), 410 for an invitation that existed."""
    is_member = (
        invitation is not None
        and request.user.is_authenticated
        and invitation.organisation.memberships.filter(user=request.user).exists()
    )
    return render(
        request,
        "organisations/invitation_unavailable.html",
        {
            "invitation": invitation,
            "state": invitation.state if invitation else None,
            "org": invitation.organisation.name if invitation else "",
            "of_org": invitation.organisation.of_name if invitation else "",
            "is_member": is_member,
            "validity_days": INVITATION_VALIDITY.days,
        },
        status=404 if invitation is None else 410,
    )


@login_required
def join_search(request):
    form = JoinSearchForm(request.GET or None)
    results = None
    if form.is_valid():
        if not search.consume_join_search(request.user):
            form.add_error(
                None,
                _(
                    "Vous avez lancé beaucoup de recherches en peu de temps. "
                    "Patientez quelques minutes avant de recommencer."
                ),
            )
            return render(request, "organisations/join_search.html", {"form": form, "results": None}, status=429)
        results = search.organisations_matching(
            Organisation.objects.exclude(memberships__user=request.user).only(
                "pk", "public_id", "name", "commune", "kind"
            ),
            form.cleaned_data["q"],
        )
    return render(request, "organisations/join_search.html", {"form": form, "results": results})


@login_required
def join(request, public_id):
    # Addressed by the random public_id that only search results show, not by the pk: counting pks up
    # from 1 would otherwise list every organisation of the territory, past the search's rate limit.
    organisation = get_object_or_404(Organisation, public_id=public_id)
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_to_join(organisation, request.user, form.cleaned_data["message"])
        except services.OrganisationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Votre demande est enregistrée ; un courriel part vers les responsables %(of_name)s.")
                % {"of_name": organisation.of_name},
            )
        return redirect("organisations:dashboard")
    return render(request, "organisations/join.html", {"organisation": organisation, "form": form})


@login_required
@require_POST
def withdraw_join_request(request, request_pk):
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("organisation"), pk=request_pk, user=request.user
    )
    try:
        services.withdraw_join_request(join_request)
    except services.OrganisationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Votre demande pour rejoindre %(name)s est retirée.") % {"name": join_request.organisation.name}
        )
    return redirect("organisations:dashboard")


@login_required
@require_POST
def decide_join_request(request, pk, request_pk):
    organisation = get_organisation_for_user(request, pk, owner=True, programme=False)
    join_request = get_object_or_404(organisation.join_requests.select_related("user"), pk=request_pk)
    accept = request.POST.get("decision") == "accept"
    try:
        services.decide_join_request(join_request, request.user, accept)
    except services.OrganisationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            (_("%(email)s a rejoint l'organisation.") if accept else _("La demande %(of_email)s est refusée."))
            % {"email": join_request.user.display_name, "of_email": join_request.user.of_name},
        )
    return redirect("organisations:detail", pk=organisation.pk)


@login_required
@require_POST
def manage_member(request, pk, membership_pk):
    organisation = get_organisation_for_user(request, pk, owner=True, programme=False)
    membership = get_object_or_404(organisation.memberships.select_related("user"), pk=membership_pk)
    action = request.POST.get("action")
    try:
        if action == "remove":
            services.remove_member(membership)
            messages.success(request, _("%(email)s a été retiré·e.") % {"email": membership.user.display_name})
        elif action in MembershipRole.values:
            services.change_member_role(membership, action)
            messages.success(request, _("Le rôle %(of_email)s est modifié.") % {"of_email": membership.user.of_name})
        else:
            raise Http404
    except services.OrganisationError as error:
        messages.error(request, str(error))
    return redirect("organisations:detail", pk=organisation.pk)


@login_required
@require_POST
def leave(request, pk):
    membership = get_membership_for_user(request, pk, programme=False)
    try:
        services.remove_member(membership)
    except services.OrganisationError as error:
        messages.error(request, str(error))
        return redirect("organisations:detail", pk=pk)
    messages.success(request, _("Vous avez quitté %(name)s.") % {"name": membership.organisation.name})
    return redirect("organisations:dashboard")


@staff_required
def staff_list(request):
    form = StaffFilterForm(request.GET or None)
    organisations = Organisation.objects.annotate(member_count=Count("memberships"))
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            identifier = normalize_identifier(data["q"])
            filters = Q(name__icontains=data["q"]) | Q(commune__icontains=data["q"])
            if identifier.isdigit():
                filters |= Q(siret__startswith=identifier)
            organisations = organisations.filter(filters)
        for field in ("kind", "naf_section", "headcount_band"):
            if data[field]:
                organisations = organisations.filter(**{field: data[field]})
        if data["to_accept"]:
            organisations = organisations.filter(outside_territory=True, accepted_at=None)
    sort = request.GET.get("tri") if request.GET.get("tri") in staff.LIST_ORDERS else "nom"
    organisations = staff.with_status_and_contact(organisations).order_by(*staff.LIST_ORDERS[sort])
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "sort": sort, "sort_labels": staff.SORT_LABELS}
    return render(request, "organisations/staff/list.html", context)


def _confirm_deletion(request, organisation, *, cancel_url, done_url):
    form = DeleteOrganisationForm(organisation, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.delete_organisation(organisation)
        messages.success(request, _("L'organisation %(name)s est supprimée.") % {"name": organisation.name})
        return redirect(done_url)
    context = {
        "organisation": organisation,
        "form": form,
        "summary": services.deletion_summary(organisation),
        "cancel_url": cancel_url,
    }
    return render(request, "organisations/delete.html", context)


@login_required
def delete(request, pk):
    organisation = get_organisation_for_user(request, pk, owner=True, programme=False)
    return _confirm_deletion(
        request, organisation, cancel_url=reverse("organisations:detail", args=[pk]), done_url="organisations:dashboard"
    )


@staff_required
def staff_accept(request, pk):
    """Confirm, then accept, an organisation registered outside the territory's communes."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if request.method == "POST":
        try:
            services.accept_organisation(organisation, request.user)
        except services.OrganisationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("L'organisation %(name)s est acceptée.") % {"name": organisation.name})
        return redirect("organisations:staff_detail", pk=organisation.pk)
    if not organisation.awaits_acceptance:
        return redirect("organisations:staff_detail", pk=organisation.pk)
    return render(request, "organisations/staff/accept.html", {"organisation": organisation})


@staff_required
def staff_delete(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    return _confirm_deletion(
        request, organisation, cancel_url=reverse("organisations:staff_list"), done_url="organisations:staff_list"
    )
