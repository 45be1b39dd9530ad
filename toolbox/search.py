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
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .enums import CostBand, Duration, SchemeKind
from .models import Action, ActionStep, Scheme

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
    """The actions participants see: never a hidden one."""
    return Action.objects.filter(hidden=False)


def _free_support_schemes(today=None):
    return Scheme.objects.current(today).filter(kind=SchemeKind.FREE_SUPPORT, actions=OuterRef("pk"))


def apply_filters(actions, filters, today=None):
    if filters.theme:
        # The main theme, or one of the others the action also serves.
        actions = actions.filter(Q(main_theme=filters.theme) | Q(themes__contains=[filters.theme]))
    # An empty list of levels or kinds means « all ».
    if filters.level is not None:
        actions = actions.filter(Q(levels__contains=[filters.level]) | Q(levels=[]))
    if filters.organisation_kind:
        actions = actions.filter(Q(organisation_kinds__contains=[filters.organisation_kind]) | Q(organisation_kinds=[]))
    if filters.duration:
        actions = actions.filter(duration__in=bands_up_to(DURATION_ORDER, filters.duration))
    if filters.cost:
        actions = actions.filter(cost__in=bands_up_to(COST_ORDER, filters.cost))
    if filters.free_support:
        actions = actions.filter(Exists(_free_support_schemes(today)))
    return actions


def has_words(query):
    """Whether `query` keeps a word once French stop words are left out (« le la de » does not)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(websearch_to_tsquery(%s::regconfig, %s)) > 0", [SEARCH_CONFIG, query])
        return cursor.fetchone()[0]


def _text(value):
    # Typed: the server-side binding of psycopg cannot guess the type of a bare parameter in concat().
    return Cast(Value(value), TextField())


class _WithoutMarks(Func):
    """The text without our two marker characters, so that ts_headline's output holds only ours."""

    function = "translate"
    output_field = TextField()

    def __init__(self, expression):
        super().__init__(expression, _text(START_MARK + STOP_MARK), _text(""))


class _Plain(Func):
    """A Markdown body as words, for an excerpt."""

    function = "regexp_replace"
    output_field = TextField()

    def __init__(self, expression):
        super().__init__(expression, _text(_MARKDOWN_NOISE), _text(" "), _text("g"))


def _steps_text():
    steps = (
        ActionStep.objects.filter(action=OuterRef("pk"))
        .order_by()
        .values("action")
        # A plain string: StringAgg wraps its delimiter in Value(str(...)), so an expression would be
        # joined in as its repr.
        .annotate(text=StringAgg("text", " … ", order_by=("order", "pk")))
        .values("text")
    )
    return Coalesce(Subquery(steps, output_field=TextField()), _text(""))


def _headline(expression, query, **options):
    return SearchHeadline(
        _WithoutMarks(expression), query, config=SEARCH_CONFIG, start_sel=START_MARK, stop_sel=STOP_MARK, **options
    )


def search(actions, query):
    """`actions` matching `query` (cleaned, with words), best first, with highlighted fragments.

    Each action gets `title_fragment`, `promise_fragment` (whole texts) and `excerpt_fragment` (a
    few words of the body and steps around the matches), all to be shown through highlight_html.
    PostgreSQL computes the fragments for the rows of the page only (ts_headline is costly, and the
    planner evaluates it after the sort and the limit).
    """
    tsquery = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    body_and_steps = Func(
        _Plain(Coalesce(F("body"), _text(""))), _text(" … "), _steps_text(), function="concat", output_field=TextField()
    )
    excerpt = _headline(body_and_steps, tsquery, max_words=22, min_words=10, max_fragments=2, fragment_delimiter=" … ")
    return (
        actions.filter(search_vector=tsquery)
        .annotate(
            rank=SearchRank(F("search_vector"), tsquery, weights=RANK_WEIGHTS),
            title_fragment=_headline(F("title"), tsquery, highlight_all=True),
            promise_fragment=_headline(F("promise"), tsquery, highlight_all=True),
            # Only when the title and the promise alone do not match: the card then says where the
            # words are; and the costliest headline (the longest text) is skipped for the others.
            excerpt_fragment=Case(
                When(_TitleOrPromiseMatch(tsquery), then=_text("")), default=excerpt, output_field=TextField()
            ),
        )
        .order_by("-rank", "order", "code")
    )


class _TitleOrPromiseMatch(Func):
    """The query matches the title and promise's lexemes alone (weights A and B of the vector):
    (ts_filter(search_vector, '{a,b}') @@ (query))."""

    template = "(ts_filter(%(expressions)s))"
    arg_joiner = ", '{a,b}') @@ ("
    output_field = BooleanField()
    conditional = True

    def __init__(self, tsquery):
        super().__init__(F("search_vector"), tsquery)


def with_free_support(actions, today=None):
    """Annotate `has_free_support` (a current « accompagnement gratuit »), for the cards' badge."""
    return actions.annotate(has_free_support=Exists(_free_support_schemes(today)))


def paginate(actions, number, size):
    """Paginator.get_page(number), with the total counted by the page's own query (COUNT(*) OVER ()):
    a search then matches the actions once, not once for the count and again for the page."""
    paginator = Paginator(actions, size)
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * size
    rows = list(actions.annotate(total=Window(Count("pk")))[start : start + size])
    if not rows and number == 1:  # nothing matches: no count to run
        paginator.count = 0
        return paginator._get_page([], 1, paginator)
    if not rows:  # past the end: Django's own way (the last page, counted)
        return paginator.get_page(number)
    paginator.count = rows[0].total
    return paginator._get_page(rows, number, paginator)
