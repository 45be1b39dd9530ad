"""What the review reads from the territory's schema: two queries, whatever the number of organisations.

`organisation_facts` reads one row per organisation (its latest validated assessment in the period
and its first one, through two LATERAL joins on the (organisation, status, submitted_at) index);
`plan_rows` one row per organisation and theme of the plans. review/aggregate.py does the rest.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from organisations.models import Organisation
from referentiel.enums import AssessmentStatus
from referentiel.models import Assessment
from toolbox.enums import PlanStatus
from toolbox.models import PlanItem

from .aggregate import OrganisationFacts, PlanRow, Scores


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included; None is open-ended."""

    start: date | None = None
    end: date | None = None

    def bounds(self):
        """(from, before) as aware datetimes of the territory's time zone, None when open."""
        start = timezone.make_aware(datetime.combine(self.start, time.min)) if self.start else None
        end = timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min)) if self.end else None
        return start, end

    @property
    def is_whole(self):
        return self.start is None and self.end is None

    def as_query(self):
        """The dashboard's GET parameters for this period (the exports' links keep it)."""
        return {key: value.isoformat() for key, value in (("du", self.start), ("au", self.end)) if value}


def _scores(overall, level, theme_scores):
    if isinstance(theme_scores, str):  # a raw cursor returns jsonb as text (Django decodes it in the field)
        theme_scores = json.loads(theme_scores)
    themes = {}
    for code, data in (theme_scores or {}).items():
        score = data.get("score") if isinstance(data, dict) else None
        themes[code] = None if score is None else float(score)
    return Scores(overall=None if overall is None else float(overall), themes=themes, level=level)


def _facts_sql():
    names = {
        "organisation": Organisation._meta.db_table,
        "assessment": Assessment._meta.db_table,
    }
    # Bounds are compared with -infinity / infinity when open, so one statement serves every period.
    return f"""
        SELECT o.kind, o.naf_section, o.headcount_band, o.commune,
               o.created_at >= %(start)s AND o.created_at < %(end)s,
               EXISTS (
                   SELECT 1 FROM {names["assessment"]} s
                   WHERE s.organisation_id = o.id AND s.started_at >= %(start)s AND s.started_at < %(end)s
               ),
               latest.overall_score, latest.level_rank, latest.theme_scores,
               first.overall_score, first.level_rank, first.theme_scores
        FROM {names["organisation"]} o
        LEFT JOIN LATERAL (
            SELECT a.submitted_at, a.overall_score, a.level_rank, a.theme_scores FROM {names["assessment"]} a
            WHERE a.organisation_id = o.id AND a.status = %(submitted)s
              AND a.submitted_at >= %(start)s AND a.submitted_at < %(end)s
            ORDER BY a.submitted_at DESC LIMIT 1
        ) AS latest ON TRUE
        LEFT JOIN LATERAL (
            SELECT a.overall_score, a.level_rank, a.theme_scores FROM {names["assessment"]} a
            WHERE a.organisation_id = o.id AND a.status = %(submitted)s AND a.submitted_at < latest.submitted_at
            ORDER BY a.submitted_at LIMIT 1
        ) AS first ON TRUE
    """  # noqa: S608 — table names come from the models, values are parameters


def organisation_facts(period=Period()):
    """One OrganisationFacts per organisation of the territory (one query)."""
    start, end = period.bounds()
    params = {
        "start": start or "-infinity",
        "end": end or "infinity",
        "submitted": AssessmentStatus.SUBMITTED,
    }
    with connection.cursor() as cursor:
        cursor.execute(_facts_sql(), params)
        rows = cursor.fetchall()
    facts = []
    for kind, naf, band, commune, registered, started, *scores in rows:
        # theme_scores is never NULL on a validated assessment: NULL says the LATERAL found none.
        latest = _scores(*scores[:3]) if scores[2] is not None else None
        first = _scores(*scores[3:]) if latest is not None and scores[5] is not None else None
        facts.append(
            OrganisationFacts(
                kind=kind,
                naf_section=naf,
                headcount_band=band,
                commune=commune.strip(),
                registered=registered,
                started=started,
                latest=latest,
                first=first,
            )
        )
    return facts


def _between(field, start, end):
    condition = Q()
    if start:
        condition &= Q(**{f"{field}__gte": start})
    if end:
        condition &= Q(**{f"{field}__lt": end})
    return condition


def plan_rows(period=Period()):
    """One PlanRow per organisation and theme with an action planned or completed in the period (one query)."""
    start, end = period.bounds()
    planned = _between("created_at", start, end)
    completed = Q(status=PlanStatus.DONE, completed_at__isnull=False) & _between("completed_at", start, end)
    rows = (
        PlanItem.objects.order_by()
        .values("organisation_id", "theme")
        .annotate(planned=Count("pk", filter=planned), completed=Count("pk", filter=completed))
        .filter(Q(planned__gt=0) | Q(completed__gt=0))
        .values_list("organisation_id", "theme", "planned", "completed")
    )
    return [PlanRow(organisation=o, theme=t, planned=p, completed=c) for o, t, p, c in rows]
