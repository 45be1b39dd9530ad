"""Rendered parts of pages kept in the cache, for parts that cost more to compute than to fetch.

A fragment's key names every input that can change what it shows: a revision the database keeps in
the transaction of each write (toolbox/revisions.py), the date, the filter… So a key is never
invalidated: a change makes another key, and the entry of the old one expires unread. Keys go
through the default cache, which prefixes them with the territory's schema
(django_tenants.cache.make_key): a fragment of one territory is never read in another. With Redis
down or frozen the cache misses (assett/cache.py) and the fragment is rendered, as with no cache.

A fragment is rendered without the request's context processors: nothing of the person who asks is
kept in it and shown to the next one. Its context holds only what its key holds (the toolbox list hands
in the request for its query string, which is in its key). The one exception is the CSRF token of its
forms: rendered as a placeholder and replaced, on the way out, by the token of the request that reads
the fragment (`csrf_request`), so that forms can be kept too.
"""

import hashlib

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .release import release

TIMEOUT = 60 * 60
# Never a real token (those are alphanumeric). The whole input is replaced: an author's text, escaped,
# never holds its quotes.
CSRF_PLACEHOLDER = "csrf-token-of-the-reader"
_CSRF_INPUT = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'


def fragment_key(name, parts):
    # The release: a template or the code behind a context may change while the data does not.
    digest = hashlib.sha256(repr((release(), get_language(), *parts)).encode()).hexdigest()
    return f"fragment:{name}:{digest}"


def cached_fragment(name, parts, template, context, timeout=TIMEOUT, csrf_request=None):
    """`template` rendered with `context`, read from the cache under (`name`, `parts`) when there.

    `context` may be a callable returning the context: it is then called only on a miss, so that what
    only the fragment needs (the queries behind it) is not computed when it is cached. With
    `csrf_request`, the fragment's `{% csrf_token %}` inputs carry that request's token.
    """

    def render():
        values = context() if callable(context) else context
        if csrf_request is not None:
            values = {**values, "csrf_token": CSRF_PLACEHOLDER}
        return render_to_string(template, values)

    html = cached_value(name, parts, render, timeout)
    if csrf_request is not None and CSRF_PLACEHOLDER in html:  # a visitor's page without forms sets no cookie
        html = html.replace(_CSRF_INPUT.format(CSRF_PLACEHOLDER), _CSRF_INPUT.format(get_token(csrf_request)))
    return mark_safe(html)  # noqa: S308  (our own template's output, or that output read back)


def cached_value(name, parts, compute, timeout=TIMEOUT):
    """`compute()`, read from the cache under (`name`, `parts`) when there: a fragment's HTML, or plain
    data that several fragments are made of (a search's results, whoever's buttons the cards then carry)."""
    key = fragment_key(name, parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def cached_each(name, parts, contexts, template, timeout=TIMEOUT):
    """`template` rendered once per context of `contexts` (plain dicts: their repr is their content),
    the renderings of a list kept together under (`name`, `parts`), each found by its context itself:
    the template sees nothing else, so a kept rendering is never stale. For the rows of a long list:
    after a change of one row of a hundred, one is rendered, and the hundred are read back as one
    entry (a key per row cost three times as much: a digest and a key check each, bench/bench_plan.py).
    The entry is written again with the list's current rows only: a row gone is dropped."""
    key = fragment_key(name, parts)
    kept = cache.get(key) or {}
    compiled = get_template(template)
    contents = [repr(context) for context in contexts]
    renderings = {
        content: kept.get(content) or compiled.render(context)
        for content, context in zip(contents, contexts, strict=True)
    }
    if renderings.keys() != kept.keys():
        cache.set(key, renderings, timeout)
    return [mark_safe(renderings[content]) for content in contents]  # noqa: S308  (as above)
