import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, schema_exists

from accounts.enums import Role
from accounts.models import User
from tenants.models import Domain, Territory
from tenants.provisioning import register_provisioning_hook, unregister_provisioning_hook
from tenants.services import ProvisioningError, TerritorySpec, provision_territory

from ..conftest import TERRITORY_A

SPEC = TerritorySpec(
    name="Grand Besançon Métropole",
    slug="besancon-test",
    domain="besancon-test.localhost",
    admin_email="Chargee.Mission@besancon.example",
    kind="metropole",
    siren="242500361",
    time_zone="Europe/Paris",
)


def counts():
    connection.set_schema_to_public()
    return Territory.objects.count(), Domain.objects.count()


def test_provision_creates_schema_domain_and_invites_admin(
    db, territories, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = provision_territory(SPEC)

    territory = result.territory
    assert result.created
    assert territory.schema_name == "besancon_test"
    assert schema_exists("besancon_test")
    assert territory.get_primary_domain().domain == "besancon-test.localhost"
    with schema_context(territory.schema_name):
        admin = User.objects.get()
        assert admin.email == "chargee.mission@besancon.example"
        assert admin.role == Role.ADMIN
        assert not admin.has_usable_password()
        assert EmailAddress.objects.get(user=admin).verified
    [email] = mailoutbox
    assert email.to == ["chargee.mission@besancon.example"]
    assert "http://besancon-test.localhost:8000/comptes/password/reset/key/" in email.body


def test_invitation_link_lets_the_admin_choose_a_password(
    db, territories, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        provision_territory(SPEC)
    link = next(line for line in mailoutbox[0].body.splitlines() if "/comptes/password/reset/key/" in line)
    path = link.split(":8000", 1)[1]
    client = Client(HTTP_HOST=SPEC.domain)

    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": "Un-mot-de-passe-solide-42", "password2": "Un-mot-de-passe-solide-42"},
    )

    assert response.status_code == 302
    logged = client.post("/comptes/login/", {"login": SPEC.admin_email, "password": "Un-mot-de-passe-solide-42"})
    assert logged.status_code == 302
    assert client.get("/gestion/territoire/").status_code == 200  # the admin reaches the territory settings


def test_provisioning_twice_changes_nothing(db, territories, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = provision_territory(SPEC)
    before = counts()

    with django_capture_on_commit_callbacks(execute=True):
        second = provision_territory(SPEC)

    assert not second.created
    assert second.territory.pk == first.territory.pk
    assert counts() == before
    assert len(mailoutbox) == 1


def test_a_failure_part_way_leaves_no_schema_and_no_rows(
    db, territories, mailoutbox, django_capture_on_commit_callbacks
):
    before = counts()

    def broken_hook(territory):
        raise RuntimeError("the national referential could not be loaded")

    register_provisioning_hook(broken_hook)
    try:
        with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
            provision_territory(SPEC)
    finally:
        unregister_provisioning_hook(broken_hook)

    assert not schema_exists("besancon_test")
    assert counts() == before
    assert not Territory.objects.filter(slug="besancon-test").exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": TERRITORY_A.slug, "domain": "other.localhost"}, "slug", "déjà utilisé"),
        ({"domain": TERRITORY_A.domain}, "domain", "déjà utilisé"),
        ({"siren": "242500362"}, "siren", "SIREN"),
        ({"siren": "12345"}, "siren", "9 chiffres"),
        ({"accent_color": "#ffcc00"}, "accent_color", "trop claire"),
        ({"accent_color": "bleu"}, "accent_color", "#RRVVBB"),
        ({"slug": "Grand Besançon"}, "slug", "minuscules"),
        ({"slug": "public"}, "slug", "réservé"),
        ({"admin_email": "pas-une-adresse"}, "admin_email", "adresse"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "fuseau"),
        ({"domain": "sans-point"}, "domain", "domaine"),
        ({"name": ""}, "name", "vide"),
    ],
)
def test_bad_input_is_refused_in_french_and_creates_nothing(db, territories, changes, field, message):
    before = counts()
    spec = TerritorySpec(**{**SPEC.__dict__, **changes})

    with pytest.raises(ProvisioningError) as raised:
        provision_territory(spec)

    assert field in raised.value.errors
    assert any(message.lower() in error.lower() for error in raised.value.errors[field])
    assert counts() == before
    assert not schema_exists("besancon_test")


def test_every_problem_is_reported_at_once(db, territories):
    spec = TerritorySpec(**{**SPEC.__dict__, "siren": "1", "accent_color": "#ffffff", "admin_email": "x"})
    with pytest.raises(ProvisioningError) as raised:
        provision_territory(spec)
    assert {"siren", "accent_color", "admin_email"} <= set(raised.value.errors)


def test_mayotte_keeps_its_own_time_zone(db, territories):
    spec = TerritorySpec(
        **{**SPEC.__dict__, "slug": "mayotte-test", "domain": "mayotte-test.localhost", "time_zone": "Indian/Mayotte"}
    )
    territory = provision_territory(spec).territory
    assert Territory.objects.get(pk=territory.pk).time_zone == "Indian/Mayotte"


def test_create_territory_command_is_idempotent(db, territories, capsys):
    args = ["--name", SPEC.name, "--slug", SPEC.slug, "--domain", SPEC.domain, "--admin-email", SPEC.admin_email]
    call_command("create_territory", *args)
    call_command("create_territory", *args)
    out = capsys.readouterr().out
    assert "créé" in out
    assert "existe déjà" in out
    assert Territory.objects.filter(slug=SPEC.slug).count() == 1


def test_create_territory_command_explains_errors(db, territories):
    with pytest.raises(CommandError, match="Rien n'a été créé"):
        call_command(
            "create_territory",
            "--name",
            "X",
            "--slug",
            "x-test",
            "--domain",
            "x.localhost",
            "--admin-email",
            "a@b.example",
            "--siren",
            "123456789",
        )
    assert not Territory.objects.filter(slug="x-test").exists()
