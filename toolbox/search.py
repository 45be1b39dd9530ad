"""Finding actions in the toolbox: filters, French full-text search, ranking, highlighted excerpts.

The text search runs in PostgreSQL over `Action.search_vector` (kept by triggers, see
toolbox/migrations/0002_search.py) with the `public.french_unaccent` configuration: French stems
of words without their accents, so « déchet » finds « déchets » and « energie » finds « énergie ».
The query goes through websearch_to_tsquery, which reads any input (quotes, `&|!:*()`, a lone
minus) as words and never raises a syntax error.

Ranking: ts_rank with the weights A (title) 1.0, B (promise) 0.4, C (body and steps) 0.2. ts_rank
sums a term's occurrences with a decreasing series (1 + 1/4 + 1/9…, below 1.65), so one occurrence
in a title outweighs any number in a body, and one in the promise any number in the body.

Highlighting: ts_headline marks matches with two private-use characters, removed from the texts
beforehand; the fragment is then HTML-escaped as a whole and only those characters become
<mark> tags (`highlight_html`). Whatever a title or a body holds, only our tags reach the page.

The list's page is one statement written out in SQL (`find`): the ORM took longer to build and
compile it, three headlines, two subqueries and a window, than PostgreSQL took to run it (4.2 ms
against 2.4 ms for « déchets » on 2,000 actions, bench/bench_toolbox_search.py), on every search
that is not read from the cache. Its pieces are constants; every value goes as a parameter.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .enums import CostBand, Duration, SchemeKind
from .models import Action

SEARCH_CONFIG = "public.french_unaccent"
MAX_QUERY_LENGTH = 200
# ts_rank's weights, in PostgreSQL's order {D, C, B, A}.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]

# Never typed by anyone, stripped from the texts before ts_headline: the only markers in its output.
START_MARK, STOP_MARK = "\ue000", "\ue001"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ue000\ue001]")
_SPACES_RE = re.compile(r"\s+")
# What Markdown puts around words, taken out of the excerpts (the full body is rendered on the action page).
_MARKDOWN_NOISE = r"(\]\([^)]*\))|[*_#>`|\[\]]+"

# Filters « au plus »: the bands in increasing order.
DURATION_ORDER = [Duration.DAYS, Duration.WEEKS, Duration.MONTHS, Duration.YEAR]
COST_ORDER = [CostBand.FREE, CostBand.LOW, CostBand.MEDIUM, CostBand.HIGH]


def clean_query(text):
    """What is searched for: control characters (a NUL byte included) dropped, spaces collapsed."""
    return _SPACES_RE.sub(" ", _CONTROL_RE.sub(" ", text or "")).strip()


def bands_up_to(order, value):
    """The bands of `order` up to `value` included: « quelques semaines au plus » → days, weeks."""
    return list(order[: order.index(value) + 1])


def highlight_html(fragment):
    """Safe HTML for a ts_headline fragment: everything escaped, then our markers as <mark>."""
    html = escape(_SPACES_RE.sub(" ", fragment or "").strip())
    html = html.replace(START_MARK, "<mark>").replace(STOP_MARK, "</mark>")
    return mark_safe(html)  # noqa: S308  (escaped just above; the markers are ours)


def has_highlight(fragment):
    return START_MARK in (fragment or "")


@dataclass(frozen=True)
class Filters:
    """A participant's choices on the list page (empty: no filter)."""

    theme: str = ""
    level: int | None = None
    organisation_kind: str = ""
    duration: str = ""  # at most this band
    cost: str = ""  # at most this band
    free_support: bool = False


def visible_actions():
    """The actions participants see: never a hidden one (the statements written out in SQL, `find` and
    recommendations._offered, say it as `NOT action.hidden`)."""
    return Action.objects.filter(hidden=False)


def has_words(query):
    """Whether `query` keeps a word once French stop words are left out (« le la de » does not)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(websearch_to_tsquery(%s::regconfig, %s)) > 0", [SEARCH_CONFIG, query])
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class Found:
    """A page of the actions found: each a dict of what its card shows, and how many were found in all."""

    rows: list
    count: int


# A current « accompagnement gratuit » for the action: a scheme of that kind not expired
# (SchemeQuerySet.current). The cards show it as a badge; the filter keeps those that have one.
_FREE_SUPPORT = """EXISTS (
    SELECT FROM toolbox_action_schemes AS link JOIN toolbox_scheme AS scheme ON scheme.id = link.scheme_id
    WHERE link.action_id = action.id AND scheme.kind = %(free_support_kind)s
      AND (scheme.valid_until IS NULL OR scheme.valid_until >= %(today)s))"""

# One condition per filter the form sets, named as the Filters' fields. An empty list of levels or kinds
# means « all »; a theme is the main one or one of the others the action also serves.
_FILTERS = {
    "theme": "(action.main_theme = %(theme)s OR %(theme)s = ANY (action.themes))",
    "level": "(%(level)s = ANY (action.levels) OR action.levels = '{}')",
    "organisation_kind": (
        "(%(organisation_kind)s = ANY (action.organisation_kinds) OR action.organisation_kinds = '{}')"
    ),
    "duration": "action.duration = ANY (%(durations)s)",
    "cost": "action.cost = ANY (%(costs)s)",
    "free_support": _FREE_SUPPORT,
}

_CARD = f"""action.id, action.code, action.title, action.promise, action.main_theme,
    action.duration, action.cost, action.impact, {_FREE_SUPPORT} AS has_free_support"""

# Searched: the fragments, computed by PostgreSQL for the rows of the page only (ts_headline is costly,
# and the planner evaluates the select list after the sort and the limit). The title and the promise
# whole; the excerpt, a few words of the body and steps around the matches, only when the title and
# the promise alone (weights A and B of the vector) do not match: the card then says where the words
# are, and the costliest headline (the longest text) is skipped for the others.
_HEADLINE = "ts_headline(%(config)s::regconfig, translate({text}, %(marks)s, ''), query, {options})"
_WHOLE_TEXT = f"StartSel={START_MARK}, StopSel={STOP_MARK}, HighlightAll=true"
_EXCERPT = (
    f"StartSel={START_MARK}, StopSel={STOP_MARK}, MaxWords=22, MinWords=10, MaxFragments=2, FragmentDelimiter=' … '"
)
_BODY_AND_STEPS = """concat(regexp_replace(coalesce(action.body, ''), %(noise)s, ' ', 'g'), ' … ', (
        SELECT string_agg(step.text, ' … ' ORDER BY step."order", step.id)
        FROM toolbox_actionstep AS step WHERE step.action_id = action.id))"""
_SEARCHED = f""",
    {_HEADLINE.format(text="action.title", options="%(whole_text)s")} AS title_fragment,
    {_HEADLINE.format(text="action.promise", options="%(whole_text)s")} AS promise_fragment,
    CASE WHEN ts_filter(action.search_vector, '{{a,b}}') @@ query THEN ''
        ELSE {_HEADLINE.format(text=_BODY_AND_STEPS, options="%(excerpt)s")} END AS excerpt_fragment"""

_PAGE = """SELECT {card}{searched}, count(*) OVER () AS total
FROM toolbox_action AS action{query}
WHERE {conditions}
ORDER BY {rank}action."order", action.code
LIMIT %(limit)s OFFSET %(offset)s"""


# The values the statement's pieces name that are the same for every search.
_CONSTANTS = {
    "config": SEARCH_CONFIG,
    "marks": START_MARK + STOP_MARK,
    "noise": _MARKDOWN_NOISE,
    "weights": RANK_WEIGHTS,
    "whole_text": _WHOLE_TEXT,
    "excerpt": _EXCERPT,
    "free_support_kind": SchemeKind.FREE_SUPPORT.value,
}


def _is_set(value):
    return value is not None and value is not False and value != ""  # a level of rank 0 is set


def find(filters, query="", *, offset=0, limit=20, today=None):
    """The visible actions that `filters` keep and `query` (cleaned, with words; "" for none) matches:
    best first when searched, else in the territory's order; `limit` of them from `offset`.

    Each row holds what a card shows; searched, also `title_fragment`, `promise_fragment` (whole
    texts) and `excerpt_fragment` ("" when the title or the promise matched), to be shown through
    highlight_html.
    """
    with connection.cursor() as cursor:
        cursor.execute(*statement(filters, query, offset=offset, limit=limit, today=today))
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    return Found(rows, rows[0]["total"] if rows else 0)


def statement(filters, query="", *, offset=0, limit=20, today=None):
    """The SQL of `find` and its parameters."""
    conditions = ["NOT action.hidden"]
    conditions += [sql for name, sql in _FILTERS.items() if _is_set(getattr(filters, name))]
    if query:
        conditions.append("action.search_vector @@ query")
    sql = _PAGE.format(
        card=_CARD,
        searched=_SEARCHED if query else "",
        query=", websearch_to_tsquery(%(config)s::regconfig, %(query)s) AS query" if query else "",
        conditions="\n  AND ".join(conditions),
        rank="ts_rank(%(weights)s::float4[], action.search_vector, query) DESC, " if query else "",
    )
    parameters = _CONSTANTS | {
        "query": query,
        **{name: getattr(filters, name) for name in ("theme", "level", "organisation_kind")},
        "durations": bands_up_to(DURATION_ORDER, filters.duration) if filters.duration else [],
        "costs": bands_up_to(COST_ORDER, filters.cost) if filters.cost else [],
        "today": today or timezone.localdate(),
        "limit": limit,
        "offset": offset,
    }
    return sql, parameters
