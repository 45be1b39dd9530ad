import threading

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client
from django_tenants.utils import schema_context, schema_exists
from psycopg import sql as psycopg_sql

from accounts.enums import Role
from accounts.models import User
from tenants.models import Domain, Territory
from tenants.provisioning import register_provisioning_hook, unregister_provisioning_hook
from tenants.resolution import forget_territories_in_process
from tenants.services import ProvisioningError, ProvisionResult, TerritorySpec, provision_territory, schema_name_for
from tests.threads import in_own_connection

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


def test_provision_creates_schema_domain_and_invites_admin(db, territories, queued_emails):
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
    [email] = queued_emails(territory)
    assert email.recipients == ["chargee.mission@besancon.example"]
    assert "http://besancon-test.localhost:8000/comptes/password/reset/key/" in email.body


def test_invitation_link_lets_the_admin_choose_a_password(db, territories, queued_emails):
    territory = provision_territory(SPEC).territory
    [email] = queued_emails(territory)
    link = next(line for line in email.body.splitlines() if "/comptes/password/reset/key/" in line)
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


def test_provisioning_twice_changes_nothing(db, territories, queued_emails):
    first = provision_territory(SPEC)
    before = counts()

    second = provision_territory(SPEC)

    assert not second.created
    assert second.territory.pk == first.territory.pk
    assert counts() == before
    assert len(queued_emails(first.territory)) == 1


def test_a_failure_part_way_leaves_no_schema_and_no_rows(db, territories, django_capture_on_commit_callbacks):
    before = counts()

    def broken_hook(territory):
        raise RuntimeError("the national referential could not be loaded")

    register_provisioning_hook(broken_hook)
    try:
        with pytest.raises(RuntimeError), django_capture_on_commit_callbacks() as callbacks:
            provision_territory(SPEC)
    finally:
        unregister_provisioning_hook(broken_hook)

    assert not schema_exists("besancon_test")
    assert counts() == before
    assert not Territory.objects.filter(slug="besancon-test").exists()
    assert callbacks == []  # the invitation's email went with the rolled-back schema


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


CONCURRENT_SPEC = TerritorySpec(
    name="Territoire provisionné deux fois",
    slug="concurrent-test",
    domain="concurrent-test.localhost",
    admin_email="admin@concurrent.example",
)
CONCURRENT_SLUGS = ["concurrent-test", "concurrent-test-bis"]


def _provision_in_threads(specs):
    """Each spec provisioned by its own thread and connection, all started together, as two requests would."""
    barrier = threading.Barrier(len(specs))
    outcomes = [None] * len(specs)

    def run(index, spec):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = provision_territory(spec)
        except Exception as error:  # noqa: BLE001 - the test inspects whatever each call raised
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, spec)) for index, spec in enumerate(specs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _remove_concurrent_territories():
    """The threads committed for real: drop their schemas and rows so that later tests are unaffected."""
    with connection.cursor() as cursor:
        for slug in CONCURRENT_SLUGS:
            cursor.execute(
                psycopg_sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    psycopg_sql.Identifier(schema_name_for(slug))
                )
            )
        cursor.execute(
            "DELETE FROM tenants_domain WHERE domain = %s OR tenant_id IN "
            "(SELECT id FROM tenants_territory WHERE slug = ANY(%s))",
            [CONCURRENT_SPEC.domain, CONCURRENT_SLUGS],
        )
        cursor.execute("DELETE FROM tenants_territory WHERE slug = ANY(%s)", [CONCURRENT_SLUGS])
    forget_territories_in_process()


def _committed_state():
    """What another connection sees once both provisionings are over."""
    connection.set_schema_to_public()
    state = {"territories": list(Territory.objects.filter(slug__in=CONCURRENT_SLUGS).values_list("slug", flat=True))}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ANY(%s)",
            [[schema_name_for(slug) for slug in CONCURRENT_SLUGS]],
        )
        state["tables"] = {}
        for schema, table in cursor.fetchall():
            state["tables"].setdefault(schema, set()).add(table)
    for slug in state["territories"]:
        with schema_context(schema_name_for(slug)):
            state.setdefault("admins", {})[slug] = list(User.objects.values_list("email", flat=True))
    return state


@pytest.fixture
def concurrent_cleanup(db, territories):
    in_own_connection(_remove_concurrent_territories)
    yield
    in_own_connection(_remove_concurrent_territories)


def test_two_concurrent_provisionings_of_one_slug_leave_one_whole_territory(concurrent_cleanup):
    outcomes = _provision_in_threads([CONCURRENT_SPEC, CONCURRENT_SPEC])

    state = in_own_connection(_committed_state)
    assert state["territories"] == [CONCURRENT_SPEC.slug]
    # The schema that the first call committed is still there, tables and all.
    assert {"accounts_user", "referentiel_referentialversion"} <= state["tables"].get("concurrent_test", set())
    assert state["admins"] == {CONCURRENT_SPEC.slug: [CONCURRENT_SPEC.admin_email]}
    created = [o for o in outcomes if isinstance(o, ProvisionResult) and o.created]
    assert len(created) == 1, outcomes
    [other] = [o for o in outcomes if o is not created[0]]
    if isinstance(other, ProvisionResult):
        assert other.territory.pk == created[0].territory.pk
    else:
        assert isinstance(other, ProvisioningError), repr(other)


def test_concurrent_provisionings_sharing_a_domain_refuse_the_second_in_french(concurrent_cleanup):
    other_slug = TerritorySpec(**{**CONCURRENT_SPEC.__dict__, "slug": "concurrent-test-bis"})

    outcomes = _provision_in_threads([CONCURRENT_SPEC, other_slug])

    [winner] = [o for o in outcomes if isinstance(o, ProvisionResult)]
    [loser] = [o for o in outcomes if o is not winner]
    assert winner.created
    assert isinstance(loser, ProvisioningError), repr(loser)
    assert any("déjà utilisé" in message for message in loser.errors["domain"])
    state = in_own_connection(_committed_state)
    assert state["territories"] == [winner.territory.slug]
    assert set(state["tables"]) == {winner.territory.schema_name}
    assert "accounts_user" in state["tables"][winner.territory.schema_name]


def test_a_schema_without_territory_is_refused_and_left_alone(db, territories):
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA besancon_test; CREATE TABLE besancon_test.kept (id int)")

    with pytest.raises(ProvisioningError) as raised:
        provision_territory(SPEC)

    assert "schéma" in " ".join(raised.value.errors["slug"])
    assert "kept" in _tables_of("besancon_test")
    assert not Territory.objects.filter(slug=SPEC.slug).exists()


def _tables_of(schema_name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema_name])
        return {row[0] for row in cursor.fetchall()}
