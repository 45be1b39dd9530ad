"""What the review reads from the territory's schema: three queries, whatever the number of organisations.

PostgreSQL adds up (a territory of 5,000 organisations would send 5,000 rows of JSON scores to
Python otherwise, bench/bench_review.py): `maturity_sums` returns the counts and sums of scores of
every group of every breakdown in one GROUPING SETS query, `participation` the funnel's counts and
the progress' sums, `plan_rows` one row per organisation and theme of the plans. review/aggregate.py
does the rest. `organisation_facts` reads one row per organisation instead: the plain data that
aggregate.py's reference functions take, against which the SQL is tested.
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

from .aggregate import ORGANISATIONS, OVERALL, OrganisationFacts, Participation, PlanRow, Scores

DIMENSIONS = (None, "kind", "naf_section", "headcount_band", "commune")


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


def _params(period):
    start, end = period.bounds()
    return {"start": start or "-infinity", "end": end or "infinity", "submitted": AssessmentStatus.SUBMITTED}


def organisation_facts(period=Period()):
    """One OrganisationFacts per organisation of the territory (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(_facts_sql(), _params(period))
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


def _tables():
    return {"organisation": Organisation._meta.db_table, "assessment": Assessment._meta.db_table}


# Each organisation's latest validated assessment in the period (DISTINCT ON over the
# (organisation, status, submitted_at) index), then its scores one row each: "*" for the
# organisation itself (the groups' sizes), "" for the overall score, a theme code for the others.
_LATEST = """
    latest AS (
        SELECT DISTINCT ON (a.organisation_id) a.organisation_id, a.submitted_at, a.overall_score, a.theme_scores
        FROM {assessment} a
        WHERE a.status = %(submitted)s AND a.submitted_at >= %(start)s AND a.submitted_at < %(end)s
        ORDER BY a.organisation_id, a.submitted_at DESC
    )
"""

_MATURITY_SQL = (
    "WITH "  # noqa: S608 — table names come from the models (_tables), values are parameters
    + _LATEST
    + """,
    -- The organisation's groups joined once per organisation, not once per score.
    grouped AS (
        SELECT l.overall_score, l.theme_scores, o.kind, o.naf_section, o.headcount_band, btrim(o.commune) AS commune
        FROM latest l JOIN {organisation} o ON o.id = l.organisation_id
    ),
    scores AS (
        SELECT kind, naf_section, headcount_band, commune, '*' AS code, NULL::float AS score FROM grouped
        UNION ALL
        SELECT kind, naf_section, headcount_band, commune, '', overall_score::float FROM grouped
        WHERE overall_score IS NOT NULL
        UNION ALL
        SELECT g.kind, g.naf_section, g.headcount_band, g.commune, t.key, (t.value ->> 'score')::float
        FROM grouped g CROSS JOIN LATERAL jsonb_each(g.theme_scores) AS t
        WHERE jsonb_typeof(t.value -> 'score') = 'number'
    )
    SELECT GROUPING(kind, naf_section, headcount_band, commune) AS grouping,
           kind, naf_section, headcount_band, commune, code, count(*), sum(score)
    FROM scores
    GROUP BY GROUPING SETS ((code), (kind, code), (naf_section, code), (headcount_band, code), (commune, code))
"""
)
# GROUPING() sets a bit per column left out, the first column the highest: which breakdown a row is of.
_GROUPINGS = {0b1111: None, 0b0111: "kind", 0b1011: "naf_section", 0b1101: "headcount_band", 0b1110: "commune"}


def maturity_sums(period=Period()):
    """{dimension (None: the whole territory): aggregate.group_sums' shape}, in one query."""
    sums = {dimension: {} for dimension in DIMENSIONS}
    with connection.cursor() as cursor:
        cursor.execute(_MATURITY_SQL.format(**_tables()), _params(period))
        for grouping, kind, naf, band, commune, code, count, total in cursor.fetchall():
            dimension = _GROUPINGS[grouping]
            key = {None: OVERALL, "kind": kind, "naf_section": naf, "headcount_band": band, "commune": commune}
            group = sums[dimension].setdefault(key[dimension], {})
            group[code] = count if code == ORGANISATIONS else (count, total)
    return sums


_PARTICIPATION_SQL = (
    "WITH "  # noqa: S608 — table names come from the models (_tables), values are parameters
    + _LATEST
    + """,
    -- Its first validated assessment, when earlier: one index probe per organisation (a LATERAL, not a
    -- join of two CTEs, whose sizes PostgreSQL cannot estimate).
    pairs_of AS (
        SELECT l.organisation_id, f.overall_score AS before_overall, f.theme_scores AS before_themes,
               l.overall_score AS after_overall, l.theme_scores AS after_themes
        FROM latest l CROSS JOIN LATERAL (
            SELECT a.overall_score, a.theme_scores FROM {assessment} a
            WHERE a.organisation_id = l.organisation_id AND a.status = %(submitted)s
              AND a.submitted_at < l.submitted_at
            ORDER BY a.submitted_at LIMIT 1
        ) AS f
    ),
    pairs AS (
        SELECT '' AS code, before_overall::float AS before, after_overall::float AS after FROM pairs_of
        WHERE before_overall IS NOT NULL AND after_overall IS NOT NULL
        UNION ALL
        SELECT t.key, (p.before_themes -> t.key ->> 'score')::float, (t.value ->> 'score')::float
        FROM pairs_of p CROSS JOIN LATERAL jsonb_each(p.after_themes) AS t
        WHERE jsonb_typeof(t.value -> 'score') = 'number'
          AND jsonb_typeof(p.before_themes -> t.key -> 'score') = 'number'
    )
    SELECT 'progress', code, count(*), sum(before), sum(after) FROM pairs GROUP BY code
    UNION ALL
    SELECT 'registered', '', count(*), NULL, NULL FROM {organisation}
    WHERE created_at >= %(start)s AND created_at < %(end)s
    UNION ALL
    SELECT 'started', '', count(DISTINCT organisation_id), NULL, NULL FROM {assessment}
    WHERE started_at >= %(start)s AND started_at < %(end)s
    UNION ALL
    SELECT 'submitted', '', count(*), NULL, NULL FROM latest
    UNION ALL
    SELECT 'reassessed', '', count(*), NULL, NULL FROM pairs_of
"""
)


def participation(period=Period()):
    """(aggregate.Participation, aggregate.progress_sums' shape), in one query."""
    counts, progress = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(_PARTICIPATION_SQL.format(**_tables()), _params(period))
        for kind, code, count, before, after in cursor.fetchall():
            if kind == "progress":
                progress[code] = (count, before, after)
            else:
                counts[kind] = count
    return Participation(**counts), progress


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
