"""Tunable numbers of the self-assessment results."""

# Below this many organisations, a same-kind average would let a participant
# guess a competitor's scores: it is not shown at all.
MIN_ORGANISATIONS_FOR_AVERAGE = 5

# Averages move only when someone submits; a few minutes of staleness spares
# the results page a scan of every organisation's latest assessment.
AVERAGE_CACHE_SECONDS = 5 * 60

# How many themes are named as strengths and as priorities.
STRENGTHS_COUNT = 3
PRIORITIES_COUNT = 3

# Lowest-scored questions listed under each priority theme.
PRIORITY_QUESTIONS_COUNT = 3

# Organisations per page in the staff follow-up list.
STAFF_PAGE_SIZE = 50

# The national referential's title (referentiel/data/referentiel_national.yaml): a territory's own
# version is given another (authoring.start_draft), so that participants are not told that an adapted
# questionnaire is the national one.
NATIONAL_TITLE = "Référentiel national ASSETT"

# The estimate of an assessment's duration, in seconds per question: reading it and its choices,
# choosing; a figure (numeric question) is often looked up. Rounded up to 5 minutes.
SECONDS_PER_QUESTION = {"ladder": 45, "yesno": 20, "multiple": 40, "numeric": 90}
SECONDS_PER_CHOICE = 5
