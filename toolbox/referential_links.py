"""What an action may point at in the published referential: its themes, levels and questions.

Actions name themes and questions by code (codes survive from one referential version to the next),
so the editor offers, and checks against, the version participants answer today. The structure is
the cached one (referentiel/structure.py): reading it costs no query once warm.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from referentiel.services import current_version
from referentiel.structure import question_spec, structure_for

from .steps import recommends_up_to, top_step


@dataclass(frozen=True)
class LinkedQuestion:
    code: str
    text: str
    theme_code: str
    top_step: int


@dataclass(frozen=True)
class PublishedReferential:
    """What an action may name in the territory's published referential (the editor and the loader's
    checks); with none published, `published` is False and every question link is refused."""

    themes: tuple = ()  # (code, title)
    levels: tuple = ()  # (rank, name)
    questions: dict = field(default_factory=dict)  # code → LinkedQuestion, in questionnaire order
    published: bool = True

    def theme_title(self, code):
        return dict(self.themes).get(code, "")

    @property
    def theme_codes(self):
        return tuple(code for code, _title in self.themes)

    @property
    def level_ranks(self):
        return frozenset(rank for rank, _name in self.levels)

    def top_step(self, code):
        """The top step of question `code` (toolbox/steps.py), None when it is not in the referential."""
        question = self.questions.get(code)
        return None if question is None else question.top_step


def published_referential():
    version = current_version()
    if version is None:
        return PublishedReferential(published=False)
    structure = structure_for(version)
    questions = {}
    for theme in structure.themes:
        for question in theme.question_list:
            questions[question.code] = LinkedQuestion(
                code=question.code,
                text=question.text,
                theme_code=theme.code,
                top_step=top_step(question_spec(question)),
            )
    return PublishedReferential(
        themes=tuple((theme.code, theme.title) for theme in structure.themes),
        levels=tuple((level.rank, level.name) for level in structure.levels),
        questions=questions,
    )


def question_link_problem(referential, code, up_to_step):
    """Why an action cannot be recommended from question `code` up to `up_to_step`; None when it can.

    The rule of toolbox/steps.py: 1 ≤ step < the question's top step (an answer at the top of its
    ladder never calls for an action).
    """
    question = referential.questions.get(code)
    if question is None:
        return _("La question %(code)s n'est pas dans le référentiel publié.") % {"code": code}
    if question.top_step < 2:
        return _(
            "La question %(code)s ne rapporte pas de points : aucune réponse ne peut déclencher de recommandation."
        ) % {"code": code}
    if not recommends_up_to(up_to_step, question.top_step):
        return _(
            "Pour la question %(code)s, l'échelon doit être compris entre 1 et %(max)s : elle compte %(top)s "
            "échelons et une action n'est jamais recommandée à la réponse la plus haute."
        ) % {"code": code, "max": question.top_step - 1, "top": question.top_step}
    return None
