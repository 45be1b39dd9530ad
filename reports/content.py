"""What a maturity report shows, as plain data: the template renders it, and its hash says whether it changed.

`report_content(assessment)` reads everything the PDF shows (results, answers and comments, progress,
recommended actions, the action plan) into dicts, lists and strings only, in the territory's time
zone. `content_hash` digests it: a report is rendered again only when this digest changes, so every
value the PDF prints must come from here, and nothing that changes without the report changing (the
time of the render, a cache's generation) may be in it.
"""

import hashlib
import json
import zoneinfo

from django.conf import settings
from django.utils import timezone, translation

from assett.dates import french_date
from referentiel.models import Answer
from referentiel.results import build_results, describe_answer
from referentiel.structure import structure_for
from tenants.links import current_territory
from toolbox.enums import PlanStatus, Priority
from toolbox.models import PlanItem
from toolbox.plan_summary import grouped
from toolbox.recommendations import recommendations_for

# Bump when the template changes what a report shows: every report is then rendered again on request.
REPORT_FORMAT = "1"


def content_hash(content):
    """SHA-256 of the content, keys sorted: the same report gives the same digest in any process."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _date(value):
    return french_date(timezone.localtime(value) if hasattr(value, "tzinfo") else value) if value else ""


def _territory(territory):
    return {
        "name": territory.name,
        "programme_name": territory.programme_name,
        "of_name": territory.of_name,
        # Markdown, rendered (and sanitised) by the template; the PDF shows it as « À propos du programme ».
        "presentation": territory.presentation,
        # The file's name only: uploading a new logo gives a new name (tenants.models.logo_upload_to),
        # and the bytes are read when rendering (reports/render.py).
        "logo": territory.logo.name if territory.logo else "",
        "accent_color": territory.accent_color,
    }


def _organisation(organisation):
    return {
        "name": organisation.name,
        "of_name": organisation.of_name,
        "kind": organisation.get_kind_display(),
        "commune": organisation.commune,
        "siret": organisation.siret,
    }


def _summary(results):
    return {
        "level_name": results.level_name,
        "level_rank": results.level_rank,
        "levels_count": len(results.levels),
        "level_description": results.level_description,
        "overall_text": results.overall_text,
        "evaluated": results.overall_score is not None,
        "sentences": [str(sentence) for sentence in results.summary],
        "levels": [
            {"rank": level.rank, "name": level.name, "description": level.description} for level in results.levels
        ],
        "strengths": [theme.title for theme in results.strengths],
        "priorities": [priority.theme.title for priority in results.priorities],
    }


def _table(results):
    """The radar's data, row by row: the same table as the results page."""
    return {
        "previous_date": _date(results.previous.submitted_at) if results.previous else "",
        "has_average": results.has_average,
        "kind_label": results.kind_label,
        "rows": [
            {
                "title": theme.title,
                "score": theme.score_text if theme.evaluated else "",
                "level": theme.level_name,
                "answered": theme.answered,
                "applicable": theme.applicable,
                "previous": theme.previous_text if theme.previous_score is not None else "",
                "delta": theme.delta_text,
                "average": theme.average_text if theme.average is not None else "",
            }
            for theme in results.themes
        ],
        "overall": {
            "score": results.overall_text,
            "level": results.level_name,
            "previous": results.previous_overall_text if results.previous else "",
            "delta": results.overall_delta_text,
            "average": results.average_overall_text if results.average_overall is not None else "",
        },
    }


def _themes(structure, organisation, results, answers):
    """A section per theme: its score and level, then each question with the answer and the comment."""
    by_code = {theme.code: theme for theme in results.themes}
    by_question = {answer.question_id: answer for answer in answers}
    sections = []
    for theme, questions in structure.themes_for(organisation):
        result = by_code.get(theme.code)
        items = []
        for question in questions:
            answer = by_question.get(question.pk)
            items.append(
                {
                    "code": question.code,
                    "text": question.text,
                    "answer": [str(label) for label in describe_answer(question, answer)],
                    "comment": answer.comment if answer is not None else "",
                }
            )
        sections.append(
            {
                "code": theme.code,
                "title": theme.title,
                "description": theme.description,
                "score": result.score_text if result is not None and result.evaluated else "",
                "level": result.level_name if result is not None else "",
                "answered": result.answered if result is not None else 0,
                "applicable": result.applicable if result is not None else len(questions),
                "questions": items,
            }
        )
    return sections


def _progress(results):
    if results.previous is None:
        return None
    return {
        "date": _date(results.previous.submitted_at),
        "before": results.previous_overall_text,
        "after": results.overall_text,
        "delta": results.overall_delta_points_text,
        "themes": [
            {
                "title": theme.title,
                "before": theme.previous_text if theme.previous_score is not None else "",
                "after": theme.score_text if theme.evaluated else "",
                "delta": theme.delta_text if theme.delta is not None else "",
            }
            for theme in results.themes
        ],
    }


def _recommendations(assessment, structure, answers, results):
    groups = recommendations_for(assessment, structure, answers, [p.theme.code for p in results.priorities])
    return [
        {
            "theme": group.theme.title,
            "actions": [
                {
                    "code": action.code,
                    "title": action.title,
                    "promise": action.promise,
                    "reasons": [
                        {"question": reason.question_text, "answer": reason.answer_label} for reason in action.reasons
                    ],
                }
                for action in group.actions
            ],
        }
        for group in groups
    ]


def _plan(organisation, structure):
    items = list(
        PlanItem.objects.filter(organisation=organisation)
        .select_related("owner")
        .prefetch_related("notes__author", "steps")
        .order_by("pk")
    )
    statuses = dict(PlanStatus.choices)
    priorities = dict(Priority.choices)
    groups = []
    for group in grouped(items, timezone.localdate()):
        rows = []
        for item in group.items:
            theme = structure.theme_by_code(item.theme) if item.theme else None
            steps = list(item.steps.all())
            rows.append(
                {
                    "title": item.title,
                    "description": item.description,
                    "theme": theme.title if theme is not None else "",
                    "status": str(statuses.get(item.status, item.status)),
                    "priority": str(priorities.get(item.priority, item.priority)),
                    "owner": item.owner.display_name if item.owner else "",
                    "target_date": _date(item.target_date),
                    "completed_at": _date(item.completed_at),
                    "steps_done": sum(1 for step in steps if step.done_at),
                    "steps": len(steps),
                    "notes": [
                        {
                            "text": note.text,
                            "author": note.author.display_name if note.author else "",
                            "date": _date(note.created_at),
                        }
                        for note in item.notes.all()
                    ],
                }
            )
        groups.append({"title": str(group.title), "items": rows})
    return groups


def upcoming_events(organisation, territory):
    """« Prochains événements » of the report: those the organisation's members registered for (and
    who), then the territory's next ones, as plain data; the dates in the territory's zone."""
    from events.dates import when
    from events.staff_mail import Site
    from events.upcoming import upcoming_for

    registrations, others = upcoming_for(organisation)
    site = Site(territory)
    by_event = {}
    for registration in registrations:
        by_event.setdefault(registration.event, []).append(registration.user.display_name)
    return [
        {
            "title": event.title,
            "date": when(event.starts_at, event.ends_at, site.zone),
            "place": event.place,
            "url": site.event_url(event),
            "registered": names,
        }
        for event, names in [*by_event.items(), *((event, []) for event in others)]
    ]


def report_content(assessment):
    """Everything the report of a submitted assessment shows, as plain data (see the module's docstring)."""
    territory = current_territory()
    with (
        translation.override(settings.LANGUAGE_CODE),
        timezone.override(zoneinfo.ZoneInfo(territory.time_zone or settings.TIME_ZONE)),
    ):
        organisation = assessment.organisation
        structure = structure_for(assessment.version)
        answers = list(Answer.objects.filter(assessment_id=assessment.pk))
        results = build_results(assessment, answers=answers, chart_id="rapport-radar")
        return {
            "format": REPORT_FORMAT,
            "language": settings.LANGUAGE_CODE,
            "territory": _territory(territory),
            "organisation": _organisation(organisation),
            "assessment": {
                "pk": assessment.pk,
                "date": _date(assessment.submitted_at),
                "version_title": assessment.version.title,
                "version_label": assessment.version.label,
            },
            "summary": _summary(results),
            "radar_svg": str(results.radar),
            "table": _table(results),
            "themes": _themes(structure, organisation, results, answers),
            "progress": _progress(results),
            "recommendations": _recommendations(assessment, structure, answers, results),
            "plan": _plan(organisation, structure),
            "events": upcoming_events(organisation, territory),
        }
