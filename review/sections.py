"""The review's sections, registered by the apps that own their figures (like tenants/figures.py).

A section provider is a function `provider(review)` → review.tables.Section, or None to say nothing.
`review` is a `Review`: the period, the published themes and the shared data loaded at most once per
request (`review.maturity`, `review.participation`, `review.progress`, `review.plan_rows`), so that
sections built on them cost no query more.
An app whose figures belong in the review (events: registrations and attendance) registers its
provider from its AppConfig.ready():

    from review.sections import register_section
    register_section(my_section, order=50)

and its tables get the page's layout and their CSV and XLSX exports with nothing else to write. A
provider applies the small-group rule to its own figures (assett/small_groups.py; review.tables.SUPPRESSED
is what the page and the files say instead of a hidden figure).
"""

from functools import cached_property

from toolbox.plan import published_themes

from . import data
from .data import Period

_providers = []  # [(order, provider)]


def register_section(provider, order=100):
    if all(existing is not provider for _order, existing in _providers):
        _providers.append((order, provider))
        _providers.sort(key=lambda entry: entry[0])
    return provider


class Review:
    """One request's review: the period and what every section reads, each loaded once."""

    def __init__(self, period=None):
        self.period = period or Period()

    @cached_property
    def themes(self):
        return published_themes()

    @cached_property
    def theme_codes(self):
        return [code for code, _title in self.themes]

    @cached_property
    def theme_titles(self):
        return dict(self.themes)

    @cached_property
    def maturity(self):
        """{breakdown: group sums} (review/data.maturity_sums)."""
        return data.maturity_sums(self.period)

    @cached_property
    def _participation(self):
        return data.participation(self.period)

    @property
    def participation(self):
        return self._participation[0]

    @property
    def progress(self):
        return self._participation[1]

    @cached_property
    def plan_rows(self):
        return data.plan_rows(self.period)

    @cached_property
    def sections(self):
        return [section for _order, provider in _providers if (section := provider(self)) is not None]

    def table(self, slug):
        """The table of that slug, or None."""
        return next((t for section in self.sections for t in section.tables if t.slug == slug), None)
