"""Rendered parts of pages kept in the cache, for parts that cost more to compute than to fetch.

A fragment's key names every input that can change what it shows: a revision the database keeps in
the transaction of each write (toolbox/revisions.py), the date, the filter… So a key is never
invalidated: a change makes another key, and the entry of the old one expires unread. Keys go
through the default cache, which prefixes them with the territory's schema
(django_tenants.cache.make_key): a fragment of one territory is never read in another. With Redis
down or frozen the cache misses (assett/cache.py) and the fragment is rendered, as with no cache.

A fragment is rendered without the request's context processors: nothing of the person who asks, nor
a CSRF token, is kept in it and shown to the next one. Its context holds only what its key holds (the
toolbox list hands in the request for its query string, which is in its key).
"""

import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

TIMEOUT = 60 * 60


def fragment_key(name, parts):
    digest = hashlib.sha256(repr((get_language(), *parts)).encode()).hexdigest()
    return f"fragment:{name}:{digest}"


def cached_fragment(name, parts, template, context, timeout=TIMEOUT):
    """`template` rendered with `context`, read from the cache under (`name`, `parts`) when there.

    `context` may be a callable returning the context: it is then called only on a miss, so that what
    only the fragment needs (the queries behind it) is not computed when it is cached.
    """
    key = fragment_key(name, parts)
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, context() if callable(context) else context)
        cache.set(key, html, timeout)
    return mark_safe(html)  # noqa: S308  (our own template's output, or that output read back)
