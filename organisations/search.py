"""Finding an organisation to join: what a participant's query matches, and how often they may search.

The join page is reached only from these results (organisations are addressed there by their random
`public_id`), so the limit on searches is also the limit on how much of a territory's list one person sees.
"""

import logging
import re
import time
import unicodedata

from django.core.cache import cache
from django.db.models import Q

from .constants import JOIN_SEARCH_MAX_RESULTS, JOIN_SEARCH_RATE_LIMIT, JOIN_SEARCH_RATE_WINDOW_SECONDS
from .validators import normalize_identifier

logger = logging.getLogger(__name__)
_cache_was_down = False

# Letters that NFKD does not split into a base letter and an accent.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "’": "'", "‘": "'", "ʼ": "'"})
_SPACES_RE = re.compile(r"\s+")


def normalize_search_text(text):
    """ "L’Écomusée  du Cœur" -> "l'ecomusee du coeur": what names are stored as and compared with."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES_RE.sub(" ", bare).strip()


def organisations_matching(organisations, query):
    """Filter `organisations` on a name fragment, a full SIRET (14 digits) or a full SIREN (9 digits).

    Identifiers match whole, never by prefix: a prefix would let someone list every SIREN of a range.
    """
    filters = Q(search_name__contains=normalize_search_text(query))
    identifier = normalize_identifier(query)
    if identifier.isascii() and identifier.isdigit():
        if len(identifier) == 14:
            filters |= Q(siret=identifier) | Q(siren=identifier[:9])
        elif len(identifier) == 9:
            filters |= Q(siren=identifier)
    return organisations.filter(filters).order_by("name", "pk")[:JOIN_SEARCH_MAX_RESULTS]


def consume_join_search(user):
    """Count one search for `user`; False once they are over the limit for the current window.

    The cache is per territory (django-tenants' key function), as user ids are. When the cache is
    unavailable the search is allowed: losing the limit for a while is better than losing the page.
    """
    global _cache_was_down
    window = int(time.time() // JOIN_SEARCH_RATE_WINDOW_SECONDS)
    key = f"join-search:{user.pk}:{window}"
    try:
        cache.add(key, 0, timeout=JOIN_SEARCH_RATE_WINDOW_SECONDS)
        count = cache.incr(key)
    except Exception:  # any cache failure (connection refused, timeout, evicted key): fail open
        if not _cache_was_down:  # once per outage, not once per search
            logger.warning("Join search rate limit skipped: the cache is unavailable.", exc_info=True)
        _cache_was_down = True
        return True
    _cache_was_down = False
    return count <= JOIN_SEARCH_RATE_LIMIT
