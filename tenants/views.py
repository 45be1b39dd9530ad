import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from accounts.enums import Role
from accounts.models import TeamInvitation, User
from accounts.services import AccountError, invite_team_member, remove_team_member
from accounts.services import accept_team_invitation as accept_team_invitation_service
from assett import communes

from .enums import TerritoryStatus
from .figures import figures_by_schema
from .forms import IntercommunalitySearchForm, OnboardingForm, TeamInvitationForm, TerritorySettingsForm
from .links import site_url
from .models import Territory
from .permissions import national_admin_required, territory_admin_required
from .services import ProvisioningError, TerritorySpec, provision_territory, set_territory_status


def _territories():
    return Territory.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).prefetch_related("domains")


def _with_urls(territories):
    for territory in territories:
        primary = next((d for d in territory.domains.all() if d.is_primary), None)
        territory.site_url = site_url(primary.domain) if primary else None
    return territories


# ---- national site (public schema) ----


def landing(request):
    territories = _with_urls(_territories().filter(status=TerritoryStatus.ACTIVE))
    return render(request, "tenants/landing.html", {"territories": territories})


@national_admin_required
def backoffice(request):
    territories = _with_urls(_territories())
    figures = figures_by_schema([territory.schema_name for territory in territories])
    for territory in territories:
        territory.figures = figures[territory.schema_name]
    return render(request, "tenants/backoffice/list.html", {"territories": territories})


# The communes of the chosen EPCI named on the page, beyond which « and N others » is said.
COMMUNES_NAMED = 12


def _intercommunality_context(request, form):
    """The search in the official list (?q=) and the EPCI or EPT chosen (?siren=, or the form's SIREN)."""
    search = IntercommunalitySearchForm(request.GET if "epci-q" in request.GET else None)
    found = communes.search_intercommunalities(search.cleaned_data["q"]) if search.is_valid() else None
    siren = request.GET.get("siren") or (form["siren"].value() or "")
    chosen = communes.intercommunality(str(siren).replace(" ", ""))
    named = None
    if chosen is not None:
        names = sorted((communes.commune(code).name for code in chosen.communes), key=communes.folded)
        named = {"count": len(names), "names": names[:COMMUNES_NAMED], "others": max(0, len(names) - COMMUNES_NAMED)}
    if found:
        # An EPCI opens one territory: say which are on the platform already (one query).
        taken = set(_territories().filter(siren__in=[group.siren for group in found]).values_list("siren", flat=True))
        found = [(group, group.siren in taken) for group in found]
    return {
        "search": search,
        "found": found,
        "chosen": chosen,
        "chosen_communes": named,
        "source": communes.source(),
    }


@national_admin_required
def onboard(request):
    """Opening a territory starts from the official list: the EPCI or EPT chosen fills the form in."""
    initial = {}
    chosen = communes.intercommunality(request.GET.get("siren", ""))
    if chosen is not None:
        initial = OnboardingForm.initial_for(chosen)
    form = OnboardingForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        logo = data.pop("logo")
        try:
            result = provision_territory(TerritorySpec(**data), logo=logo)
        except ProvisioningError as error:
            for field, field_errors in error.errors.items():
                for message in field_errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            if result.created:
                messages.success(
                    request,
                    _("Le territoire %(name)s est prêt. L'invitation est en route vers %(email)s.")
                    % {"name": result.territory.name, "email": data["admin_email"]},
                )
            else:
                messages.info(request, _("Ce territoire existait déjà : rien n'a été modifié."))
            return redirect("backoffice")
    return render(
        request, "tenants/backoffice/onboard.html", {"form": form, **_intercommunality_context(request, form)}
    )


# What each change does to the territory's site, said on the confirmation page that names it.
STATUS_CHANGES = {
    TerritoryStatus.ACTIVE: _("Son site sera ouvert à tous et le territoire listé sur la page nationale."),
    TerritoryStatus.SUSPENDED: _(
        "Son site sera hors ligne pour tout le monde, équipe comprise, jusqu'à sa réactivation. "
        "Ses données sont conservées."
    ),
}


@national_admin_required
def change_status(request, pk):
    """GET: a confirmation that names the territory and says what happens; POST: the change."""
    territory = get_object_or_404(_territories(), pk=pk)
    status = request.POST.get("status") if request.method == "POST" else request.GET.get("status")
    if status not in STATUS_CHANGES or status == territory.status:
        raise Http404
    if request.method == "POST":
        set_territory_status(territory, status)
        messages.success(
            request,
            _("Statut %(of_name)s : %(status)s.")
            % {"of_name": territory.of_name, "status": territory.get_status_display()},
        )
        return redirect("backoffice")
    return render(
        request,
        "tenants/backoffice/status.html",
        {"target": territory, "status": TerritoryStatus(status), "consequence": STATUS_CHANGES[status]},
    )


# ---- a territory's site (its schema) ----


def territory_home(request):
    return render(request, "tenants/home.html")


# Its URL carries the colour (base.html: theme.css?v=<colour>): a new colour is a new URL, shown at
# once, so browsers may keep each version for as long as they like.
@cache_control(max_age=31_536_000, immutable=True)
def theme_css(request):
    color = request.tenant.accent_color
    css = f":root {{ --assett-accent: {color}; }}\n"
    return HttpResponse(css, content_type="text/css")


def media(request, path):
    """Serve a file from the current territory's media folder only.

    Files are stored under MEDIA_ROOT/<schema>/ and their URLs are /media/<name>
    (tenants.storage): the same URL on another territory's host looks in that territory's
    folder, where the file does not exist.
    """
    try:
        full_path = Path(default_storage.path(path))  # the current schema's folder
    except SuspiciousFileOperation as error:
        raise Http404 from error
    if not full_path.is_file():
        raise Http404
    content_type, _encoding = mimetypes.guess_type(full_path.name)
    response = FileResponse(full_path.open("rb"), content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = "private, max-age=3600"
    # Served from the site's own origin: should a file ever be opened as a page, it runs nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@territory_admin_required
def territory_settings(request):
    territory = Territory.objects.get(pk=request.tenant.pk)  # fresh copy: request.tenant is shared in process
    form = TerritorySettingsForm(request.POST or None, request.FILES or None, instance=territory)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Les paramètres du territoire sont enregistrés."))
        return redirect("territory_settings")
    return render(request, "tenants/staff/settings.html", {"form": form})


@territory_admin_required
def open_territory(request):
    """The territory's admin opens the programme once it is ready (GET: what it means; POST: done)."""
    territory = Territory.objects.get(pk=request.tenant.pk)
    if not territory.is_preparing:
        raise Http404
    if request.method == "POST":
        set_territory_status(territory, TerritoryStatus.ACTIVE)
        messages.success(request, _("Le programme est ouvert : le territoire apparaît sur la page nationale."))
        return redirect("territory_settings")
    return render(request, "tenants/staff/open.html", {"opened": territory})


@territory_admin_required
def team(request):
    form = TeamInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        participant = User.objects.filter(email=form.cleaned_data["email"].lower(), role=Role.PARTICIPANT).first()
        if participant and not request.POST.get("confirm"):
            # Staff read every organisation's answers: say so, and ask, before inviting a participant.
            organisations = participant.organisations.values_list("name", flat=True)
            return render(
                request,
                "tenants/staff/team_confirm.html",
                {"form": form, "participant": participant, "organisations": list(organisations)},
            )
        try:
            _user, created = invite_team_member(
                request.tenant, form.cleaned_data["email"], form.cleaned_data["role"], invited_by=request.user
            )
        except AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("L'invitation est enregistrée ; le courriel est en route vers %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("team")
    members = User.objects.filter(role__in=[Role.STAFF, Role.ADMIN]).order_by("email")
    pending = TeamInvitation.objects.filter(accepted_at=None, revoked_at=None).select_related("user")
    return render(request, "tenants/staff/team.html", {"form": form, "members": members, "pending": pending})


@territory_admin_required
def revoke_team_member(request, pk):
    """GET: a confirmation naming the person; POST: back to participant."""
    member = get_object_or_404(User, pk=pk, role__in=[Role.STAFF, Role.ADMIN])
    if member == request.user:
        messages.error(request, _("Vous ne pouvez pas retirer votre propre accès."))
        return redirect("team")
    if request.method != "POST":
        return render(request, "tenants/staff/team_confirm.html", {"removing": member})
    remove_team_member(member)
    messages.success(request, _("%(email)s ne fait plus partie de l'équipe.") % {"email": member.display_name})
    return redirect("team")


@login_required
def accept_team_invitation(request, token):
    """The invited participant, signed in with the invited account, sees and accepts the invitation."""
    invitation = get_object_or_404(TeamInvitation, token=token, user=request.user, accepted_at=None, revoked_at=None)
    if request.method == "POST":
        accept_team_invitation_service(invitation, request.user)
        messages.success(request, _("Vous faites maintenant partie de l'équipe du territoire."))
        return redirect("organisations:dashboard")
    return render(request, "accounts/team_invitation.html", {"invitation": invitation})
