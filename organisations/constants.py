from datetime import timedelta

# An invitation link or a join request left unanswered this long is no longer valid: the person asks
# again (a fresh invitation, a new request). Short enough that a forwarded or forgotten link stops working.
INVITATION_VALIDITY = timedelta(days=14)
JOIN_REQUEST_VALIDITY = INVITATION_VALIDITY

# Searching for an organisation to join: a query shorter than this matches too much of the territory.
JOIN_SEARCH_MIN_LENGTH = 3
JOIN_SEARCH_MAX_RESULTS = 20
# Searches per person and window: ample for someone looking for their employer, too few to list a
# territory's organisations by trying every three-letter string.
JOIN_SEARCH_RATE_LIMIT = 20
JOIN_SEARCH_RATE_WINDOW_SECONDS = 10 * 60
