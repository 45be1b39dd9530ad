"""The review's pure aggregations and the small-group rule, with hypothesis properties."""

from hypothesis import given
from hypothesis import strategies as st

from assett.small_groups import MIN_ORGANISATIONS, hidden_groups, is_shown
from review import aggregate
from review.aggregate import OrganisationFacts, PlanRow, Scores

THEMES = ["ENE", "DEC", "MOB"]
counts_strategy = st.dictionaries(st.sampled_from("ABCDEFGHIJ"), st.integers(min_value=1, max_value=40), max_size=10)


@given(counts_strategy)
def test_no_hidden_group_can_be_worked_out_from_the_shown_ones(counts):
    hidden = hidden_groups(counts)
    total = sum(counts.values())
    hidden_total = sum(counts[key] for key in hidden)
    assert all(counts[key] >= MIN_ORGANISATIONS for key in counts.keys() - hidden)
    assert all(key in hidden for key, count in counts.items() if count < MIN_ORGANISATIONS)
    if is_shown(total):  # the total minus the shown groups is what is hidden: five or more, or nothing
        assert hidden_total == 0 or hidden_total >= MIN_ORGANISATIONS


@given(counts_strategy)
def test_nothing_is_hidden_beyond_need(counts):
    hidden = hidden_groups(counts)
    primary = {key for key, count in counts.items() if count < MIN_ORGANISATIONS}
    if not primary or sum(counts[key] for key in primary) >= MIN_ORGANISATIONS:
        assert hidden == primary
    else:  # one more group, the smallest shown, is always enough (it has five or more)
        assert len(hidden - primary) <= 1
        shown = [counts[key] for key in counts.keys() - hidden]
        assert all(counts[key] <= min(shown, default=counts[key]) for key in hidden - primary)


def test_a_lone_small_group_takes_the_smallest_other_with_it():
    assert hidden_groups({"entreprise": 7, "association": 2, "public": 5}) == {"association", "public"}
    assert hidden_groups({"entreprise": 7, "association": 2, "public": 3}) == {"association", "public"}
    assert hidden_groups({"entreprise": 7, "association": 8}) == set()


scores = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))
assessment = st.builds(
    Scores, overall=scores, themes=st.fixed_dictionaries({code: scores for code in THEMES}), level=st.none()
)
facts_strategy = st.lists(
    st.builds(
        OrganisationFacts,
        kind=st.sampled_from(["entreprise", "association", "etablissement_public"]),
        naf_section=st.sampled_from(["", "C", "I"]),
        headcount_band=st.sampled_from(["00", "11"]),
        commune=st.sampled_from(["Poitiers", "Chauvigny", "Lusignan"]),
        registered=st.booleans(),
        started=st.booleans(),
        latest=st.one_of(st.none(), assessment),
        first=st.one_of(st.none(), assessment),
    ),
    max_size=40,
)


@given(facts_strategy, st.sampled_from([None, "kind", "naf_section", "headcount_band", "commune"]))
def test_every_average_shown_is_of_five_organisations_or_more_and_within_bounds(facts, dimension):
    groups = aggregate.maturity_groups(aggregate.group_sums(facts, dimension), THEMES, breakdown=bool(dimension))
    assert sum(group.organisations for group in groups) == sum(1 for f in facts if f.latest is not None)
    for group in groups:
        for cell in group.cells.values():
            if cell.value is not None:
                assert not group.hidden
                assert cell.organisations >= MIN_ORGANISATIONS
                assert 0 <= cell.value <= 100


@given(facts_strategy)
def test_progress_is_shown_for_five_pairs_or_more(facts):
    for row in aggregate.progress(aggregate.progress_sums(facts), THEMES):
        if row.change is not None:
            assert row.organisations >= MIN_ORGANISATIONS
            assert -100 <= row.change <= 100
            assert abs(row.change - (row.latest - row.first)) <= 0.11  # means of rounded halves


@given(
    st.lists(
        st.builds(
            PlanRow,
            organisation=st.integers(1, 12),
            theme=st.sampled_from(["ENE", "DEC", "", "LOCAL"]),
            planned=st.integers(0, 3),
            completed=st.integers(0, 3),
        ),
        max_size=40,
    )
)
def test_actions_of_fewer_than_five_organisations_are_not_counted_on_the_page(rows):
    for theme in aggregate.actions_by_theme(rows, THEMES):
        organisations = {row.organisation for row in rows if row.theme == theme.theme}
        assert theme.organisations == len(organisations)
        if theme.planned:
            assert len(organisations) >= MIN_ORGANISATIONS
        if theme.completed is not None and theme.completed:
            assert theme.completing_organisations >= MIN_ORGANISATIONS


def test_funnel_counts_each_organisation_once_per_step():
    done = Scores(overall=50, themes={})
    facts = [
        OrganisationFacts("entreprise", "C", "11", "Poitiers", registered=True, started=True, latest=done, first=done),
        OrganisationFacts("entreprise", "C", "11", "Poitiers", registered=True, started=True, latest=done),
        OrganisationFacts("entreprise", "C", "11", "Poitiers", registered=False, started=True),
    ]
    plans = [PlanRow(1, "ENE", 2, 1), PlanRow(1, "DEC", 1, 0), PlanRow(2, "ENE", 1, 0)]

    assert aggregate.funnel(aggregate.participation(facts), plans) == {
        "registered": 2,
        "started": 3,
        "submitted": 2,
        "reassessed": 1,
        "with_plan": 2,
        "with_completed_action": 1,
    }


def test_a_theme_scored_by_fewer_than_five_is_empty_in_a_shown_group():
    facts = [
        OrganisationFacts(
            "entreprise",
            "C",
            "11",
            "Poitiers",
            latest=Scores(overall=50, themes={"ENE": 60 if index < 4 else None, "DEC": 40, "MOB": 30}),
        )
        for index in range(6)
    ]

    (group,) = aggregate.maturity_groups(aggregate.group_sums(facts, "kind"), THEMES)

    assert not group.hidden
    assert group.cells["ENE"].value is None and group.cells["ENE"].hidden
    assert group.cells["DEC"].value == 40


@given(facts_strategy, st.sampled_from(["kind", "naf_section", "headcount_band", "commune"]))
def test_no_hidden_theme_average_can_be_worked_out_from_the_others(facts, dimension):
    """A theme's average over the whole territory is shown (aggregate.maturity_groups(…, breakdown=False)):
    the organisations behind its hidden cells in a breakdown are none, or five or more."""
    groups = aggregate.maturity_groups(aggregate.group_sums(facts, dimension), THEMES)
    for code in ("", *THEMES):
        hidden = sum(g.cells[code].organisations for g in groups if g.cells[code].value is None)
        total = sum(g.cells[code].organisations for g in groups)
        if total >= MIN_ORGANISATIONS:
            assert hidden == 0 or hidden >= MIN_ORGANISATIONS, code


def test_a_theme_cell_of_three_takes_the_other_cell_of_its_column_with_it():
    def fact(kind, energy):
        return OrganisationFacts(kind, "C", "11", "Poitiers", latest=Scores(overall=50, themes={"ENE": energy}))

    facts = [fact("entreprise", 40) for _ in range(6)]
    facts += [fact("association", 80 if index < 3 else None) for index in range(6)]

    groups = {g.key: g for g in aggregate.maturity_groups(aggregate.group_sums(facts, "kind"), ["ENE"])}

    assert groups["association"].cells["ENE"].value is None  # three
    # The territory's energy average (nine organisations) minus the businesses' would tell the three.
    assert groups["entreprise"].cells["ENE"].value is None
    assert groups["entreprise"].cells[""].value == 50  # the overall column is whole: shown
