"""Lists cut into pages, with the page's number read from the query string as Django's Paginator reads it."""

from django.core.paginator import Paginator
from django.db.models import Count, Window


def page_number(value):
    """The page asked for (`?page=`): 1 when it is not a positive number."""
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def paginate(queryset, number, size):
    """Paginator.get_page(number), with the total counted by the page's own query (COUNT(*) OVER ()):
    what the list matches is matched once, not once for the count and again for the page."""
    paginator = Paginator(queryset, size)
    number = page_number(number)
    start = (number - 1) * size
    rows = list(queryset.annotate(total=Window(Count("pk")))[start : start + size])
    if not rows and number == 1:  # nothing matches: no count to run
        paginator.count = 0
        return paginator._get_page([], 1, paginator)
    if not rows:  # past the end: Django's own way (the last page, counted)
        return paginator.get_page(number)
    paginator.count = rows[0].total
    return paginator._get_page(rows, number, paginator)
