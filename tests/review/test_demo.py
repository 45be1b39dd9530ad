"""The review's demo data: enough organisations for groups of five, once."""

from django.db.models import Min

from organisations.demo import seed_organisations
from organisations.models import Organisation
from referentiel.demo import seed_demo_assessments
from review import aggregate
from review.data import maturity_sums, participation, plan_rows
from review.demo import EXTRA, seed_demo_review
from toolbox.plan import published_themes


def test_the_demo_shows_figures_in_every_breakdown_and_is_seeded_once(in_a):
    organisations = seed_organisations(in_a, "Mot-de-passe-42")
    seed_demo_assessments(in_a, organisations)
    seed_demo_review(in_a, organisations)
    seed_demo_review(in_a, organisations)

    assert Organisation.objects.count() == len(organisations) + EXTRA
    sums = maturity_sums()
    codes = [code for code, _title in published_themes()]
    for dimension in ("kind", "naf_section", "headcount_band", "commune"):
        groups = aggregate.maturity_groups(sums[dimension], codes)
        assert any(not group.hidden for group in groups), dimension
    assert any(row.change is not None for row in aggregate.progress(participation()[1], codes))
    assert any(theme.completed for theme in aggregate.actions_by_theme(plan_rows(), codes))


def test_demo_organisations_register_before_they_assess_and_their_owners_have_names(in_a):
    organisations = seed_organisations(in_a, "Mot-de-passe-42")
    seed_demo_assessments(in_a, organisations)
    seed_demo_review(in_a, organisations)

    assessed = Organisation.objects.annotate(first=Min("assessments__started_at")).exclude(first=None)
    assert assessed.count() > len(organisations)
    for organisation in assessed:
        assert organisation.created_at < organisation.first, organisation.name
    members = [
        membership.user for organisation in Organisation.objects.all() for membership in organisation.memberships.all()
    ]
    assert all(person.get_full_name() for person in members)
