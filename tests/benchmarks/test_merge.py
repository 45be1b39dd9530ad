"""The merge of the territories' aggregates: exact averages, and no group under five, even by difference."""

from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st

from assett.small_groups import MIN_ORGANISATIONS
from benchmarks.merge import ALL, Contribution, merge

KINDS = ["entreprise", "association", "etablissement_public"]
THEMES = [("ENE", "Énergie"), ("DEC", "Déchets")]
LABELS = {"entreprise": "Entreprise", "association": "Association", "etablissement_public": "Établissement public"}


def territory(epci_kind, organisations):
    """organisations: {kind: [overall scores]} → a Contribution as review/national.py builds it."""
    groups = []
    for kind_key in (ALL, *KINDS):
        scores = [s for kind, values in organisations.items() if kind_key in (ALL, kind) for s in values]
        if scores:
            for theme in (ALL, "ENE"):
                groups.append([kind_key, theme, len(scores), float(sum(scores))])
    return Contribution(epci_kind=epci_kind, groups=groups, themes=THEMES, kinds=LABELS)


def test_averages_are_exact_nationally_and_per_kind_of_epci():
    merged = merge(
        [
            territory("metropole", {"entreprise": [10, 20, 30]}),
            territory("metropole", {"entreprise": [40, 50, 60]}),
            territory("cc", {"entreprise": [70, 80, 90, 100, 100]}),
        ]
    )
    groups = {(m.epci_kind, m.organisation_kind, m.theme): m for m in merged}

    national = groups[ALL, "entreprise", ALL]
    assert (national.organisations, national.territories, national.average) == (11, 3, 59.1)  # 650 / 11
    assert groups["metropole", "entreprise", ALL].average == 35
    assert groups["cc", "entreprise", ALL].average == 88
    assert groups[ALL, "entreprise", "ENE"].theme_title == "Énergie"
    assert groups[ALL, "entreprise", ALL].organisation_kind_label == "Entreprise"


def test_a_small_group_is_not_shown_nor_found_by_difference():
    merged = merge(
        [
            territory("metropole", {"entreprise": [50] * 6, "association": [90, 95]}),
            territory("cc", {"entreprise": [40] * 5, "association": [20] * 3}),
        ]
    )
    groups = {(m.epci_kind, m.organisation_kind, m.theme) for m in merged}

    assert ("metropole", "association", ALL) not in groups  # 2
    assert ("cc", "association", ALL) not in groups  # 3
    # 6 + 2 metropole organisations in all: showing « all kinds » and the businesses would tell the two.
    assert not {("metropole", ALL, ALL), ("metropole", "entreprise", ALL)} <= groups
    assert (ALL, "association", ALL) in groups  # 5 nationally


shapes = st.lists(
    st.tuples(
        st.sampled_from(["metropole", "cc", "cu", ""]),
        st.dictionaries(st.sampled_from(KINDS), st.lists(st.integers(0, 100), min_size=1, max_size=8), min_size=1),
    ),
    max_size=8,
)


@given(shapes)
def test_no_group_under_five_and_no_hidden_part_worked_out_from_a_shown_total(shape):
    contributions = [territory(epci, organisations) for epci, organisations in shape]
    merged = merge(contributions)
    shown = {(m.epci_kind, m.organisation_kind, m.theme): m.organisations for m in merged}
    assert all(count >= MIN_ORGANISATIONS for count in shown.values())

    # Every count, shown or not, recomputed from the contributions.
    counts = defaultdict(int)
    for contribution in contributions:
        for kind, theme, organisations, _total in contribution.groups:
            for scope in {ALL, contribution.epci_kind}:
                counts[scope, kind, theme] += organisations
    scopes = {scope for scope, _k, _t in counts} - {ALL}
    for theme in (ALL, "ENE"):
        breakdowns = [([(s, k, theme) for k in KINDS], (s, ALL, theme)) for s in scopes | {ALL}]
        breakdowns += [([(s, k, theme) for s in scopes], (ALL, k, theme)) for k in [*KINDS, ALL]]
        for parts, total in breakdowns:
            if total not in shown:
                continue
            hidden = counts[total] - sum(shown.get(part, 0) for part in parts)
            assert hidden == 0 or hidden >= MIN_ORGANISATIONS, (total, hidden)
