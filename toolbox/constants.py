# « n organisations du territoire l'ont réalisée » is shown from this many organisations on:
# fewer would let a participant guess who they are.
PEER_PROOF_MINIMUM = 5

# The national fields of an action: the national toolbox owns them, a re-import updates them unless
# the territory adapted that field (Action.adapted_fields). Everything else on an action is local.
# The national fields kept on the action's row itself (what the staff's action form edits).
ACTION_ROW_FIELDS = (
    "title",
    "promise",
    "body",
    "main_theme",
    "themes",
    "levels",
    "organisation_kinds",
    "headcount_bands",
    "naf_codes",
    "cost",
    "duration",
    "impact",
    "co2_tonnes_per_year",
    "co2_source",
)
# Rows and links of their own.
ACTION_RELATED_FIELDS = ("steps", "questions", "prerequisites")
NATIONAL_ACTION_FIELDS = (*ACTION_ROW_FIELDS, *ACTION_RELATED_FIELDS)

# Recommended actions shown under each priority theme of a results page.
RECOMMENDED_PER_THEME = 3
