"""Filters of the referential editor's pages."""

from django import template

from ..targeting import targeting_text

register = template.Library()


@register.filter
def targeting(question):
    """Whom a question is asked (« entreprises · de 10 à 49 salariés »), "" when everyone."""
    return targeting_text(question.organisation_kinds, question.headcount_bands)
