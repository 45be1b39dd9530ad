import pytest
from django.db import connection

from accounts.enums import Role
from accounts.models import User
from organisations.demo import demo_siret
from organisations.enums import MembershipRole, OrganisationKind
from organisations.models import Invitation, JoinRequest, Membership, Organisation
from organisations.services import OrganisationError, create_organisation, remove_member

from ..same_ids import align_next_ids

VALID_SIRET = "73282932000074"


def participant(email="camille@example.org"):
    user = User.objects.create_user(email, "Mot-de-passe-42")
    user.emailaddress_set.create(email=email, verified=True, primary=True)
    return user


def organisation_for(owner, name="Boulangerie du Clain", **fields):
    data = {
        "name": name,
        "kind": OrganisationKind.ENTREPRISE,
        "siret": VALID_SIRET,
        "naf_code": "10.71C",
        "headcount_band": "02",
        "commune": "Poitiers",
        **fields,
    }
    return create_organisation(owner, **data)


FORM = {
    "name": "Atelier Vélo",
    "kind": "entreprise",
    "siret": "732 829 320 00074",
    "siren": "",
    "naf_code": "4764z",
    "headcount_band": "01",
    "address": "",
    "postal_code": "86000",
    "commune": "Poitiers",
}


def test_participant_creates_an_organisation_and_becomes_owner(in_a, client_a):
    user = participant()
    client_a.force_login(user)

    response = client_a.post("/organisations/nouvelle/", FORM)

    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert organisation.siret == "73282932000074"
    assert organisation.siren == "732829320"
    assert organisation.naf_code == "47.64Z"
    assert organisation.naf_version == "NAFRev2"
    assert organisation.naf_section == "G"
    assert Membership.objects.get(user=user, organisation=organisation).role == MembershipRole.OWNER


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"siret": "73282932000075"}, "clé de contrôle"),
        ({"siret": ""}, "SIRET est obligatoire"),
        ({"naf_code": "99.99Z"}, "n&#x27;existe pas"),
        ({"kind": "association", "siret": "", "siren": ""}, "à défaut, son SIREN"),
        ({"name": "Atelier\nVélo"}, "une seule ligne"),
        ({"name": "Atelier\r\nBcc: tous@example.org"}, "une seule ligne"),
    ],
)
def test_bad_organisation_input_is_explained_in_french_and_creates_nothing(in_a, client_a, changes, message):
    client_a.force_login(participant())

    response = client_a.post("/organisations/nouvelle/", {**FORM, **changes})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organisation.objects.exists()


def test_an_association_may_register_with_its_siren_only(in_a, client_a):
    client_a.force_login(participant())
    response = client_a.post(
        "/organisations/nouvelle/", {**FORM, "kind": "association", "siret": "", "siren": "732829320"}
    )
    assert response.status_code == 302
    assert Organisation.objects.get().siren == "732829320"


def test_owner_invites_a_colleague_who_accepts(in_a, client_a, queued_emails, django_capture_on_commit_callbacks):
    owner = participant()
    organisation = organisation_for(owner, name="L'atelier d'Orly")
    client_a.force_login(owner)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client_a.post(
            f"/organisations/{organisation.pk}/inviter/", {"email": "Dominique@Example.org"}, follow=True
        )

    assert "le courriel est en route vers Dominique@Example.org" in response.content.decode()
    assert len(callbacks) == 1  # the send, after commit
    invitation = Invitation.objects.get()
    [email] = queued_emails(in_a)
    assert email.recipients == ["dominique@example.org"]
    assert email.subject == f"{owner} vous invite à rejoindre L'atelier d'Orly sur {in_a.programme_name}"
    assert f"http://territoire-a.localhost:8000/invitations/{invitation.token}/" in email.body
    assert "&#x27;" not in email.body

    colleague = participant("dominique@example.org")
    client_a.force_login(colleague)
    assert client_a.post(f"/invitations/{invitation.token}/").status_code == 302
    assert Membership.objects.get(user=colleague, organisation=organisation).role == MembershipRole.MEMBER
    assert client_a.post(f"/invitations/{invitation.token}/").status_code == 410  # used: refused, and said so
    assert Membership.objects.filter(user=colleague).count() == 1


def test_a_name_saved_with_a_newline_still_gives_a_one_line_subject(in_a, client_a, queued_emails):
    """Names saved before the form refused newlines must not break the emails (BadHeaderError, a 500)."""
    owner = participant()
    organisation = organisation_for(owner)
    Organisation.objects.filter(pk=organisation.pk).update(name="Boulangerie\r\ndu Clain")
    client_a.force_login(owner)

    response = client_a.post(f"/organisations/{organisation.pk}/inviter/", {"email": "dominique@example.org"})

    assert response.status_code == 302
    [email] = queued_emails(in_a)
    assert email.subject.endswith("vous invite à rejoindre Boulangerie du Clain sur " + in_a.programme_name)


def test_invitation_cannot_be_used_by_another_address(in_a, client_a):
    owner = participant()
    organisation = organisation_for(owner)
    invitation = Invitation.objects.create(organisation=organisation, email="dominique@example.org", invited_by=owner)
    intruder = participant("intrus@example.org")
    client_a.force_login(intruder)

    response = client_a.post(f"/invitations/{invitation.token}/", follow=True)

    assert "autre adresse" in response.content.decode()
    assert not Membership.objects.filter(user=intruder).exists()


def test_join_request_is_decided_by_the_owner(in_a, client_a, queued_emails):
    owner = participant()
    organisation = organisation_for(owner)
    newcomer = participant("nouveau@example.org")
    client_a.force_login(newcomer)
    assert client_a.get("/organisations/rejoindre/?q=Boulangerie").content.decode().count("Boulangerie du Clain") == 1
    client_a.post(f"/organisations/rejoindre/{organisation.public_id}/", {"message": "Je travaille au fournil."})
    join_request = JoinRequest.objects.get()
    [email] = queued_emails(in_a)
    assert email.recipients == [owner.email]
    assert email.subject == "nouveau@example.org demande à rejoindre Boulangerie du Clain"
    assert f"http://territoire-a.localhost:8000/organisations/{organisation.pk}/" in email.body

    client_a.force_login(owner)
    client_a.post(f"/organisations/{organisation.pk}/demandes/{join_request.pk}/", {"decision": "accept"})

    assert Membership.objects.filter(user=newcomer, organisation=organisation).exists()


def test_the_last_owner_cannot_leave(in_a):
    owner = participant()
    organisation = organisation_for(owner)
    with pytest.raises(OrganisationError):
        remove_member(Membership.objects.get(user=owner, organisation=organisation))
    assert Membership.objects.filter(organisation=organisation).count() == 1


def test_non_member_gets_404_on_an_organisation(in_a, client_a):
    organisation = organisation_for(participant())
    client_a.force_login(participant("autre@example.org"))
    assert client_a.get(f"/organisations/{organisation.pk}/").status_code == 404
    assert client_a.post(f"/organisations/{organisation.pk}/inviter/", {"email": "x@example.org"}).status_code == 404
    assert not Invitation.objects.exists()


def test_member_who_is_not_owner_cannot_manage(in_a, client_a):
    owner = participant()
    organisation = organisation_for(owner)
    member = participant("membre@example.org")
    Membership.objects.create(user=member, organisation=organisation)
    client_a.force_login(member)
    owner_membership = Membership.objects.get(user=owner)
    response = client_a.post(f"/organisations/{organisation.pk}/membres/{owner_membership.pk}/", {"action": "remove"})
    assert response.status_code == 404
    assert Membership.objects.filter(pk=owner_membership.pk).exists()


def test_organisation_of_a_is_not_visible_from_b(in_a, client_b, territory_a, territory_b):
    # B has its own organisation with the same id: a page served from A's schema would show A's.
    align_next_ids([Organisation], territory_a, territory_b)
    organisation = organisation_for(participant())
    connection.set_tenant(territory_b)
    twin = participant()  # same address, other territory
    own = organisation_for(twin, name="Brasserie de B")
    assert own.pk == organisation.pk
    client_b.force_login(twin)

    for page in (f"/organisations/{organisation.pk}/", "/mon-espace/"):
        content = client_b.get(page).content.decode()
        assert "Brasserie de B" in content, page
        assert "Boulangerie du Clain" not in content, page


@pytest.fixture
def staff_user(in_a):
    return User.objects.create_user("equipe@a.example", "Mot-de-passe-42", role=Role.STAFF)


def test_staff_lists_and_filters_organisations(in_a, client_a, staff_user):
    import random

    rng = random.Random(1)
    owner = participant()
    organisation_for(owner, name="Boulangerie", siret=demo_siret(rng))
    organisation_for(
        owner, name="Club de foot", kind="association", siret=demo_siret(rng), naf_code="93.12Z", headcount_band="NN"
    )
    organisation_for(
        owner,
        name="Hôpital",
        kind="etablissement_public",
        siret=demo_siret(rng),
        naf_code="86.10Z",
        headcount_band="42",
    )
    client_a.force_login(staff_user)

    def names(query):
        html = client_a.get(f"/gestion/organisations/?{query}").content.decode()
        return {name for name in ("Boulangerie", "Club de foot", "Hôpital") if name in html}

    assert names("") == {"Boulangerie", "Club de foot", "Hôpital"}
    assert names("kind=association") == {"Club de foot"}
    assert names("naf_section=Q") == {"Hôpital"}
    assert names("headcount_band=02") == {"Boulangerie"}
    assert names("q=club") == {"Club de foot"}


def test_staff_list_query_count_does_not_grow_with_organisations(
    in_a, client_a, staff_user, django_assert_max_num_queries
):
    import random

    rng = random.Random(2)
    owner = participant()
    for index in range(30):
        organisation_for(owner, name=f"Entreprise {index}", siret=demo_siret(rng))
    client_a.force_login(staff_user)
    with django_assert_max_num_queries(8):
        assert client_a.get("/gestion/organisations/").status_code == 200


def test_participant_cannot_see_the_staff_list(in_a, client_a):
    client_a.force_login(participant())
    assert client_a.get("/gestion/organisations/").status_code == 404
