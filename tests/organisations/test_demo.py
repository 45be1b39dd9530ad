"""The demo's organisations: the one outside the territory awaits the staff's acceptance, and has
done nothing yet, as its members could not have (organisations/access.py's check_in_programme)."""

from events.models import Registration
from organisations.demo import in_programme, seed_organisations
from tenants.management.commands.seed_demo import Command
from toolbox.models import PlanItem


def test_the_organisation_awaiting_acceptance_has_no_assessment_plan_or_registration(in_a):
    organisations = seed_organisations(in_a, "Mot-de-passe-42")
    (waiting,) = [organisation for organisation in organisations if organisation.awaits_acceptance]

    for seed in Command().extra_seeds():  # what seed_demo gives each territory's organisations
        seed(in_a, in_programme(organisations))

    assert not waiting.assessments.exists()
    assert not PlanItem.objects.filter(organisation=waiting).exists()
    assert not Registration.objects.filter(organisation=waiting).exists()
    # The others still show every feature: assessments, one of them in progress, plans, registrations.
    others = in_programme(organisations)
    assert all(organisation.assessments.exists() for organisation in others)
    assert any(organisation.assessments.filter(status="in_progress").exists() for organisation in others)
    assert PlanItem.objects.filter(organisation=others[0]).exists()
    assert Registration.objects.filter(organisation__in=others).exists()
