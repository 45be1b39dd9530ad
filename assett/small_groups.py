"""The small-group rule of every figure about organisations: a group of fewer than five is never shown.

Shared by the territory's review (review/), the national view (benchmarks/) and their exports: one
spelling of the rule. Pure: plain data in, plain data out.

Hiding the small groups alone is not enough when the groups of a breakdown add up to a total that
is shown: « 10 organisations, 6 entreprises, 2 associations » and a hidden « établissements
publics » tells its count by subtraction, and its average from the overall one. So `hidden_groups`
also hides the smallest shown groups until what is hidden in the breakdown adds up to five or more
(the « secret secondaire » of public statistics): no hidden group's count, nor the average of the
hidden ones taken together, can be worked out from what is shown.
"""

MIN_ORGANISATIONS = 5


def is_shown(count):
    """A group of `count` organisations may be shown: none (0) or five or more."""
    return count == 0 or count >= MIN_ORGANISATIONS


def hidden_groups(counts, already=()):
    """The keys of `counts` ({group: organisations}, a partition of a shown total) to hide.

    Primary: every group of 1 to 4 organisations, and those of `already` (hidden for another reason,
    or never shown). Secondary: while the hidden groups hold between 1 and 4 organisations together,
    the smallest shown group (ties: the first key in sorted order) is hidden too.
    """
    hidden = {key for key, count in counts.items() if 0 < count < MIN_ORGANISATIONS or key in already}
    shown = sorted((count, str(key), key) for key, count in counts.items() if count >= MIN_ORGANISATIONS)
    while 0 < sum(counts[key] for key in hidden) < MIN_ORGANISATIONS and shown:
        hidden.add(shown.pop(0)[2])
    return hidden
