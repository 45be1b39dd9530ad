"""The pure ranking of recommended actions (toolbox/recommend.py): examples, then properties."""

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referentiel.scoring import AnswerSpec, BandSpec, ChoiceSpec, QuestionSpec
from toolbox.recommend import (
    FIT_BASE,
    Candidate,
    Link,
    Profile,
    QuestionInput,
    Reason,
    fit,
    rank_actions,
    recommend_by_theme,
)

# A 4-rung ladder: choices 11..14 are steps 1..4.
ENE_01 = QuestionSpec(
    id=1,
    theme="ENE",
    kind="ladder",
    weight=2,
    choices=(ChoiceSpec(11, 0), ChoiceSpec(12, 25), ChoiceSpec(13, 50), ChoiceSpec(14, 100)),
)
# Yes / no: 22 (no) is step 1, 21 (yes) step 2.
DEC_01 = QuestionSpec(id=2, theme="DEC", kind="yesno", weight=1, choices=(ChoiceSpec(21, 100), ChoiceSpec(22, 0)))
# Numeric: three bands, steps 1..3.
EAU_01 = QuestionSpec(
    id=3,
    theme="EAU",
    kind="numeric",
    weight=1,
    bands=(BandSpec(None, 10, 0), BandSpec(10, 50, 50), BandSpec(50, None, 100)),
)

PROFILE = Profile(kind="entreprise", headcount_band="11", naf_section="C", naf_division="10", level=1)


def ladder(choice, *, code="ENE-01", spec=ENE_01, label=None):
    return QuestionInput(
        code=code,
        text=f"Question {code}",
        spec=spec,
        answer=AnswerSpec(spec.id, frozenset({choice})),
        answer_label=label or f"choix {choice}",
    )


def action(code="ENE-A01", *links, **fields):
    return Candidate(
        code=code, main_theme=fields.pop("main_theme", "ENE"), links=links or (Link("ENE-01", 2),), **fields
    )


# --------------------------------------------------------------------------
# When an action is recommended
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("choice", "recommended"), [(11, True), (12, True), (13, False), (14, False)])
def test_recommended_at_or_below_up_to_step(choice, recommended):
    ranked = rank_actions(PROFILE, [ladder(choice)], [action()])
    assert bool(ranked) is recommended


@pytest.mark.parametrize(
    "answer",
    [None, AnswerSpec(1, not_applicable=True), AnswerSpec(1, frozenset())],
    ids=["no answer", "non concerné", "nothing chosen"],
)
def test_no_answer_and_not_applicable_never_trigger(answer):
    question = QuestionInput("ENE-01", "Q", ENE_01, answer)
    assert rank_actions(PROFILE, [question], [action("ENE-A01", Link("ENE-01", 3))]) == []


def test_a_question_the_organisation_is_not_asked_never_triggers():
    assert rank_actions(PROFILE, [ladder(11)], [action("ENE-A01", Link("ENE-99", 3))]) == []


def test_an_up_to_step_at_the_top_still_never_recommends_the_best_answer():
    assert rank_actions(PROFILE, [ladder(14)], [action("ENE-A01", Link("ENE-01", 4))]) == []


@pytest.mark.parametrize(
    ("question", "step_one", "step_two"),
    [
        (QuestionInput("DEC-01", "Tri ?", DEC_01, AnswerSpec(2, frozenset({22}))), True, None),
        (QuestionInput("DEC-01", "Tri ?", DEC_01, AnswerSpec(2, frozenset({21}))), False, None),
        (QuestionInput("EAU-01", "m3", EAU_01, AnswerSpec(3, value=5)), True, True),
        (QuestionInput("EAU-01", "m3", EAU_01, AnswerSpec(3, value=20)), False, True),
        (QuestionInput("EAU-01", "m3", EAU_01, AnswerSpec(3, value=80)), False, False),
    ],
)
def test_every_kind_of_question_counts_in_steps(question, step_one, step_two):
    for up_to_step, expected in ((1, step_one), (2, step_two)):
        if expected is None:
            continue
        ranked = rank_actions(PROFILE, [question], [action("X-A01", Link(question.code, up_to_step))])
        assert bool(ranked) is expected


def test_actions_in_the_plan_are_not_suggested():
    ranked = rank_actions(PROFILE, [ladder(11)], [action("ENE-A01"), action("ENE-A02")], planned={"ENE-A01"})
    assert [r.code for r in ranked] == ["ENE-A02"]


# --------------------------------------------------------------------------
# Score and order
# --------------------------------------------------------------------------


def test_score_is_weighted_distance_from_the_top_times_the_fit():
    (recommendation,) = rank_actions(PROFILE, [ladder(12)], [action("ENE-A01", Link("ENE-01", 3))])
    # Step 2 of 4: two steps from the top of a ladder of three gaps; weight 2.
    assert recommendation.gap == Fraction(2) * Fraction(2, 3)
    assert recommendation.fit == fit(action(), PROFILE)
    assert recommendation.score == recommendation.gap * (FIT_BASE + recommendation.fit)


def test_farther_answers_rank_first_and_ties_break_by_code():
    questions = [ladder(11), ladder(12, code="ENE-02")]
    candidates = [
        action("ENE-A03", Link("ENE-02", 3)),
        action("ENE-A01", Link("ENE-02", 3)),
        action("ENE-A02", Link("ENE-01", 3)),
    ]
    ranked = rank_actions(PROFILE, questions, candidates)
    assert [r.code for r in ranked] == ["ENE-A02", "ENE-A01", "ENE-A03"]


def test_every_triggering_answer_adds_to_the_score_and_is_a_reason():
    questions = [ladder(11, label="Jamais"), ladder(12, code="ENE-02", label="Parfois"), ladder(14, code="ENE-03")]
    links = (Link("ENE-01", 2), Link("ENE-02", 2), Link("ENE-03", 3))
    (both,) = rank_actions(PROFILE, questions, [action("ENE-A01", *links)])
    (one,) = rank_actions(PROFILE, questions, [action("ENE-A01", Link("ENE-01", 2))])
    assert both.score > one.score
    assert both.reasons == (
        Reason("ENE-01", "Question ENE-01", "Jamais"),
        Reason("ENE-02", "Question ENE-02", "Parfois"),
    )


@pytest.mark.parametrize(
    ("fields", "points"),
    [
        ({}, 2 + 2 + 1 + 1),
        ({"levels": (1, 2)}, 2 + 2 + 1 + 1),
        ({"levels": (3,)}, 0 + 2 + 1 + 1),
        ({"kinds": ("association",)}, 2 + 0 + 1 + 1),
        ({"bands": ("11", "12")}, 2 + 2 + 1 + 1),
        ({"bands": ("00",)}, 2 + 2 + 0 + 1),
        ({"naf_codes": ("10",)}, 2 + 2 + 1 + 3),
        ({"naf_codes": ("C",)}, 2 + 2 + 1 + 2),
        ({"naf_codes": ("C", "10")}, 2 + 2 + 1 + 3),
        ({"naf_codes": ("A", "01")}, 2 + 2 + 1 + 0),
    ],
)
def test_fit_points(fields, points):
    assert fit(action(**fields), PROFILE) == points


def test_division_match_ranks_above_section_match_above_no_match():
    candidates = [
        action("ENE-A01", naf_codes=("A",)),
        action("ENE-A02", naf_codes=("C",)),
        action("ENE-A03", naf_codes=("10",)),
    ]
    assert [r.code for r in rank_actions(PROFILE, [ladder(11)], candidates)] == ["ENE-A03", "ENE-A02", "ENE-A01"]


@pytest.mark.parametrize(("level", "fits"), [(None, True), (1, True), (2, False)])
def test_below_the_first_level_fits_first_level_actions(level, fits):
    assert (fit(action(levels=(1,)), replace(PROFILE, level=level)) == 6) is fits


def test_an_organisation_without_naf_code_fits_only_actions_for_every_activity():
    profile = replace(PROFILE, naf_section="", naf_division="")
    assert fit(action(naf_codes=("C",)), profile) < fit(action(), profile)


# --------------------------------------------------------------------------
# By priority theme
# --------------------------------------------------------------------------


def test_by_theme_lists_each_action_once_under_its_main_theme_first():
    questions = [ladder(11), QuestionInput("DEC-01", "Tri ?", DEC_01, AnswerSpec(2, frozenset({22})))]
    candidates = [
        action("DEC-A01", Link("DEC-01", 1), main_theme="DEC", themes=("ENE",)),
        action("ENE-A01", Link("ENE-01", 2), themes=("DEC",)),
        action("ENE-A02", Link("ENE-01", 2)),
        action("MOB-A01", Link("ENE-01", 2), main_theme="MOB", themes=("DEC", "ENE")),
        action("BIO-A01", Link("ENE-01", 2), main_theme="BIO"),
    ]
    result = recommend_by_theme(PROFILE, ["ENE", "DEC"], questions, candidates, per_theme=5)
    assert {theme: [r.code for r in items] for theme, items in result.items()} == {
        "ENE": ["ENE-A01", "ENE-A02", "MOB-A01"],
        "DEC": ["DEC-A01"],
    }


def test_by_theme_keeps_the_best_few():
    candidates = [action(f"ENE-A{n:02d}") for n in range(1, 6)]
    result = recommend_by_theme(PROFILE, ["ENE"], [ladder(11)], candidates, per_theme=3)
    assert [r.code for r in result["ENE"]] == ["ENE-A01", "ENE-A02", "ENE-A03"]


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

QUESTIONS = {
    "ENE-01": ENE_01,
    "ENE-02": replace(ENE_01, id=4, weight=1),
    "DEC-01": DEC_01,
    "EAU-01": EAU_01,
}
ANSWERS = {
    # Every possible answer of each question, lowest step first.
    "ENE-01": [AnswerSpec(1, frozenset({c})) for c in (11, 12, 13, 14)],
    "ENE-02": [AnswerSpec(4, frozenset({c})) for c in (11, 12, 13, 14)],
    "DEC-01": [AnswerSpec(2, frozenset({22})), AnswerSpec(2, frozenset({21}))],
    "EAU-01": [AnswerSpec(3, value=v) for v in (5, 20, 80)],
}
KINDS = ["entreprise", "association", "etablissement_public"]
BANDS = ["00", "01", "11", "12", "21"]
NAF = ["A", "C", "G", "01", "10", "47"]
THEMES = ["ENE", "DEC", "EAU", "MOB"]

profiles = st.builds(
    Profile,
    kind=st.sampled_from(KINDS),
    headcount_band=st.sampled_from(BANDS),
    naf_section=st.sampled_from(["", "A", "C", "G"]),
    naf_division=st.sampled_from(["", "01", "10", "47"]),
    level=st.one_of(st.none(), st.integers(1, 4)),
)
links = st.lists(
    st.builds(Link, question_code=st.sampled_from([*QUESTIONS, "MOB-09"]), up_to_step=st.integers(1, 4)),
    min_size=1,
    max_size=3,
    unique_by=lambda link: link.question_code,
)


def candidates_strategy(min_size=1):
    return st.lists(
        st.builds(
            Candidate,
            code=st.sampled_from([f"A-{n:02d}" for n in range(12)]),
            main_theme=st.sampled_from(THEMES),
            themes=st.lists(st.sampled_from(THEMES), max_size=2, unique=True).map(tuple),
            levels=st.lists(st.integers(1, 4), max_size=2, unique=True).map(tuple),
            kinds=st.lists(st.sampled_from(KINDS), max_size=2, unique=True).map(tuple),
            bands=st.lists(st.sampled_from(BANDS), max_size=2, unique=True).map(tuple),
            naf_codes=st.lists(st.sampled_from(NAF), max_size=2, unique=True).map(tuple),
            links=links.map(tuple),
        ),
        min_size=min_size,
        max_size=6,
        unique_by=lambda candidate: candidate.code,
    )


@st.composite
def answer_sets(draw):
    """Answer indexes per question code (an index into ANSWERS; None = no answer, -1 = non concerné)."""
    return {code: draw(st.one_of(st.none(), st.just(-1), st.integers(0, len(ANSWERS[code]) - 1))) for code in QUESTIONS}


def inputs(picks):
    result = {}
    for code, spec in QUESTIONS.items():
        pick = picks[code]
        if pick is None:
            answer = None
        elif pick == -1:
            answer = AnswerSpec(spec.id, not_applicable=True)
        else:
            answer = ANSWERS[code][pick]
        result[code] = QuestionInput(code, code, spec, answer, str(pick))
    return result


def score_of(code, ranked):
    return next((r.score for r in ranked if r.code == code), None)


@given(profiles, candidates_strategy())
def test_property_all_linked_questions_at_the_top_never_recommend(profile, candidates):
    top = {code: len(answers) - 1 for code, answers in ANSWERS.items()}
    assert rank_actions(profile, inputs(top), candidates) == []


@given(profiles, candidates_strategy(), answer_sets())
def test_property_unanswered_and_not_applicable_never_trigger(profile, candidates, picks):
    ranked = rank_actions(profile, inputs(picks), candidates)
    silent = {code for code, pick in picks.items() if pick is None or pick == -1}
    for recommendation in ranked:
        assert recommendation.reasons
        assert not {reason.question_code for reason in recommendation.reasons} & silent


@settings(max_examples=200)
@given(profiles, candidates_strategy(), answer_sets(), st.sampled_from(sorted(QUESTIONS)))
def test_property_a_lower_answer_never_lowers_the_score(profile, candidates, picks, code):
    if picks[code] is None or picks[code] <= 0:
        return
    before = rank_actions(profile, inputs(picks), candidates)
    after = rank_actions(profile, inputs({**picks, code: picks[code] - 1}), candidates)
    for candidate in candidates:
        old, new = score_of(candidate.code, before), score_of(candidate.code, after)
        if old is not None:
            assert new is not None
            assert new >= old


@given(profiles, candidates_strategy(), answer_sets(), st.data())
def test_property_a_planned_action_never_appears(profile, candidates, picks, data):
    planned = data.draw(st.sets(st.sampled_from([c.code for c in candidates])))
    ranked = rank_actions(profile, inputs(picks), candidates, planned)
    assert not {r.code for r in ranked} & planned
    by_theme = recommend_by_theme(profile, THEMES, inputs(picks), candidates, planned)
    assert not {r.code for items in by_theme.values() for r in items} & planned


@given(
    profiles,
    candidates_strategy(),
    answer_sets(),
    st.sampled_from(["levels", "kinds", "bands", "naf_codes"]),
    st.data(),
)
def test_property_a_criterion_the_organisation_misses_never_raises_the_score(profile, candidates, picks, name, data):
    candidate = candidates[0]
    missed = {
        "levels": [lv for lv in range(1, 5) if lv != (profile.level or 1)],
        "kinds": [k for k in KINDS if k != profile.kind],
        "bands": [b for b in BANDS if b != profile.headcount_band],
        "naf_codes": [n for n in NAF if n not in (profile.naf_section, profile.naf_division)],
    }[name]
    extra = data.draw(st.sampled_from(missed))
    narrowed = replace(candidate, **{name: (*getattr(candidate, name), extra)})
    if narrowed == candidate:
        return
    before = score_of(candidate.code, rank_actions(profile, inputs(picks), [candidate]))
    after = score_of(candidate.code, rank_actions(profile, inputs(picks), [narrowed]))
    assert (before is None) == (after is None)
    if before is not None:
        assert after <= before


@given(profiles, candidates_strategy(), answer_sets())
def test_property_order_is_deterministic_and_total(profile, candidates, picks):
    ranked = rank_actions(profile, inputs(picks), candidates)
    assert ranked == rank_actions(profile, inputs(picks), list(reversed(candidates)))
    keys = [(-r.score, r.code) for r in ranked]
    assert keys == sorted(keys)
    assert all(r.score > 0 or r.gap == 0 for r in ranked)


@given(profiles, candidates_strategy(), answer_sets(), st.integers(1, 4))
def test_property_by_theme_lists_at_most_n_once_each_and_in_rank_order(profile, candidates, picks, n):
    ranked = [r.code for r in rank_actions(profile, inputs(picks), candidates)]
    by_theme = recommend_by_theme(profile, ["ENE", "DEC"], inputs(picks), candidates, per_theme=n)
    codes = [r.code for items in by_theme.values() for r in items]
    assert len(codes) == len(set(codes))
    for items in by_theme.values():
        assert len(items) <= n
        positions = [ranked.index(r.code) for r in items]
        assert positions == sorted(positions)
