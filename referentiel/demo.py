"""Plausible demo assessments (seed_demo) and bulk data for the benchmarks."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from organisations.models import Organisation

from .enums import AssessmentStatus, QuestionKind
from .models import Answer, Assessment
from .services import current_version, submit_assessment
from .structure import structure_for

# Realistic magnitudes for the national numeric indicators, by unit.
_VALUE_RANGES = {"%": (5, 95), "kWh/an": (20_000, 900_000), "m³/an": (50, 8_000)}


def _answer_for(question, rng, maturity):
    """One answer drawn around the organisation's maturity (0..1)."""
    if question.allow_not_applicable and rng.random() < 0.08:
        return {"not_applicable": True}
    if question.kind == QuestionKind.NUMERIC:
        low, high = _VALUE_RANGES.get(question.unit, (0, 1000))
        return {"value": Decimal(round(low + (high - low) * min(1, max(0, rng.gauss(maturity, 0.2))), 1))}
    choices = question.choice_list
    if question.kind == QuestionKind.MULTIPLE:
        picked = [c.pk for c in choices if rng.random() < maturity]
        return {"choice_ids": picked, "explicit_none": not picked}
    position = min(len(choices) - 1, max(0, round(rng.gauss(maturity * (len(choices) - 1), 0.8))))
    return {"choice_ids": [choices[position].pk]}


@transaction.atomic
def seed_assessment(organisation, user, rng, maturity, submitted_at=None):
    """An assessment answered throughout; submitted (scores stored) when submitted_at is given."""
    version = current_version()
    structure = structure_for(version)
    started_at = (submitted_at or timezone.now()) - timedelta(days=rng.randint(2, 20))
    assessment = Assessment.objects.create(organisation=organisation, version=version, started_by=user)
    answers = [
        Answer(
            assessment=assessment,
            question=question,
            answered_by=user,
            answered_at=started_at,
            **_answer_for(question, rng, maturity),
        )
        for _theme, questions in structure.themes_for(organisation)
        for question in questions
    ]
    if submitted_at is None:
        answers = answers[: len(answers) // 2]  # half-way through: something to resume
    Answer.objects.bulk_create(answers)
    if submitted_at is not None:
        assessment = submit_assessment(assessment, user, notify=False)  # past history: no email to staff
        Assessment.objects.filter(pk=assessment.pk).update(started_at=started_at, submitted_at=submitted_at)
    else:
        Assessment.objects.filter(pk=assessment.pk).update(started_at=started_at)
    return assessment


def seed_demo_assessments(territory, organisations):
    """Every demo organisation gets a submitted assessment; half of them a first one a year earlier.

    Idempotent: organisations that already have assessments are left alone.
    """
    rng = random.Random(f"assessments-{territory.slug}")
    now = timezone.now()
    for index, organisation in enumerate(organisations):
        if Assessment.objects.filter(organisation=organisation).exists():
            continue
        owner = organisation.memberships.order_by("pk").first().user
        maturity = rng.uniform(0.25, 0.75)
        if index % 2 == 0:
            seed_assessment(organisation, owner, rng, maturity - 0.15, submitted_at=now - timedelta(days=380))
        seed_assessment(organisation, owner, rng, maturity, submitted_at=now - timedelta(days=rng.randint(3, 40)))
    # One organisation is half-way through its next assessment, to show "reprendre".
    last = organisations[-1]
    if not Assessment.objects.filter(organisation=last, status=AssessmentStatus.IN_PROGRESS).exists():
        seed_assessment(last, last.memberships.order_by("pk").first().user, rng, 0.6)
    for organisation in organisations:
        registered_before_assessing(organisation, rng)


def registered_before_assessing(organisation, rng):
    """Demo rows are made today and then dated in the past: an organisation is registered a few
    days to a few weeks before it started its first assessment, not after it."""
    first = organisation.assessments.order_by("started_at").values_list("started_at", flat=True).first()
    if first is not None and organisation.created_at > first:
        organisation.created_at = first - timedelta(days=rng.randint(3, 40))
        Organisation.objects.filter(pk=organisation.pk).update(created_at=organisation.created_at)
