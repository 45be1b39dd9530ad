"""What the toolbox shows of the territory's published referential: theme and level names, question texts.

Actions name themes, levels and questions by code or rank (they outlive referential versions); their
names come from the published version's structure, which referentiel/structure.py keeps in memory:
one query (the published version's row) per page.
"""

from dataclasses import dataclass, field

from referentiel.services import current_version
from referentiel.structure import structure_for


@dataclass
class ReferentialLabels:
    themes: dict = field(default_factory=dict)  # code → title, in the referential's order
    levels: dict = field(default_factory=dict)  # rank → name
    questions: dict = field(default_factory=dict)  # code → Question (with .theme)

    def theme_name(self, code):
        return self.themes.get(code, code)

    def level_name(self, rank):
        return self.levels.get(rank, str(rank))


def published_labels():
    """The labels of the published version; empty when the territory has not published one yet."""
    return labels_of(current_version())


def labels_of(version):
    """The labels of `version` (the published one, read by the caller already); empty for None."""
    if version is None:
        return ReferentialLabels()
    structure = structure_for(version)
    return ReferentialLabels(
        themes={theme.code: theme.title for theme in structure.themes},
        levels={level.rank: level.name for level in structure.levels},
        questions={question.code: question for theme in structure.themes for question in theme.question_list},
    )
