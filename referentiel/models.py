"""The referential (versioned questionnaire) and the assessments made against it.

A published version never changes (referentiel/authoring.py refuses every write on
it), and an assessment points at the version it was made against: editing the
referential never alters a past result.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisations.enums import HeadcountBand, OrganisationKind

from .enums import AssessmentStatus, QuestionKind, VersionStatus


class ReferentialVersion(models.Model):
    title = models.CharField(_("titre"), max_length=200)
    label = models.CharField(_("version"), max_length=40, help_text=_("Par exemple 2026.1"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("issue de")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("version du référentiel")
        verbose_name_plural = _("versions du référentiel")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="published"), name="one_published_version"),
            models.UniqueConstraint(fields=["status"], condition=Q(status="draft"), name="one_draft_version"),
        ]

    def __str__(self):
        return f"{self.title} {self.label} ({self.get_status_display()})"

    @property
    def is_editable(self):
        return self.status == VersionStatus.DRAFT


class MaturityLevel(models.Model):
    version = models.ForeignKey(ReferentialVersion, on_delete=models.CASCADE, related_name="levels")
    rank = models.PositiveSmallIntegerField(_("rang"))
    name = models.CharField(_("nom"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    threshold = models.DecimalField(
        _("seuil (score sur 100)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("niveau de maturité")
        verbose_name_plural = _("niveaux de maturité")
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["version", "rank"], name="unique_level_rank")]

    def __str__(self):
        return f"{self.rank}. {self.name}"


class Theme(models.Model):
    version = models.ForeignKey(ReferentialVersion, on_delete=models.CASCADE, related_name="themes")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("ordre"), default=0)
    color = models.CharField(_("couleur"), max_length=7, blank=True)
    icon = models.CharField(_("icône"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_theme_code")]

    def __str__(self):
        return self.title


class Question(models.Model):
    # The version is repeated here so that codes are unique per version and queries stay flat.
    version = models.ForeignKey(ReferentialVersion, on_delete=models.CASCADE, related_name="questions")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=30)
    text = models.TextField(_("question"))
    help_text = models.TextField(_("aide"), blank=True)
    kind = models.CharField(_("type"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.LADDER)
    weight = models.PositiveSmallIntegerField(_("poids"), default=1)
    organisation_kinds = ArrayField(
        models.CharField(max_length=30, choices=OrganisationKind.choices),
        default=list,
        blank=True,
        verbose_name=_("types d'organisation concernés"),
        help_text=_("Vide : tous les types."),
    )
    headcount_bands = ArrayField(
        models.CharField(max_length=2, choices=HeadcountBand.choices),
        default=list,
        blank=True,
        verbose_name=_("tranches d'effectif concernées"),
        help_text=_("Vide : toutes les tailles."),
    )
    allow_not_applicable = models.BooleanField(_("« non concerné » possible"), default=False)
    unit = models.CharField(_("unité"), max_length=40, blank=True)
    order = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_question_code")]

    def __str__(self):
        return f"{self.code} – {self.text[:60]}"

    def applies_to(self, organisation):
        return (not self.organisation_kinds or organisation.kind in self.organisation_kinds) and (
            not self.headcount_bands or organisation.headcount_band in self.headcount_bands
        )


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    label = models.TextField(_("libellé"))
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, default=0)
    order = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("choix")
        verbose_name_plural = _("choix")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.label


class NumericBand(models.Model):
    """Maps a numeric indicator's value to points: min inclusive, max exclusive, empty = unbounded."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="bands")
    min_value = models.DecimalField(_("minimum"), max_digits=14, decimal_places=3, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=14, decimal_places=3, null=True, blank=True)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("tranche de valeurs")
        verbose_name_plural = _("tranches de valeurs")
        ordering = ["min_value", "pk"]

    def __str__(self):
        return f"[{self.min_value}, {self.max_value}) → {self.points}"


class Assessment(models.Model):
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="assessments")
    version = models.ForeignKey(ReferentialVersion, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(
        _("statut"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("commencée le"), auto_now_add=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    # Where the participant was, so that coming back resumes there.
    last_theme = models.ForeignKey(Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A re-assessment that started from the previous answers (carry_over.py): they are copied
    # « à confirmer »; the codes are those of previous answers not copied because the question changed.
    carried_over_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reprise de")
    )
    changed_question_codes = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    # Stored on submission so that results pages never recompute them.
    overall_score = models.DecimalField(_("score global"), max_digits=4, decimal_places=1, null=True, blank=True)
    level_rank = models.PositiveSmallIntegerField(_("niveau"), null=True, blank=True)
    theme_scores = models.JSONField(
        _("scores par thème"),
        default=dict,
        blank=True,
        help_text="{theme code: {score, level, answered, applicable}}",
    )

    class Meta:
        verbose_name = _("auto-évaluation")
        verbose_name_plural = _("auto-évaluations")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(status="in_progress"), name="one_assessment_in_progress"
            )
        ]
        indexes = [models.Index(fields=["organisation", "status", "-submitted_at"])]

    def __str__(self):
        return f"{self.organisation} – {self.started_at:%d/%m/%Y}"

    @property
    def is_submitted(self):
        return self.status == AssessmentStatus.SUBMITTED


# Answer.is_answered, in SQL: for counting answered questions without loading the answers
# (and written out in services._SAVE_ANSWER_SQL).
ANSWERED = Q(not_applicable=True) | ~Q(choice_ids=[]) | Q(value__isnull=False) | Q(explicit_none=True)


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    # Ids of Choice rows of `question` (one for ladder / yes-no, any number for multiple);
    # checked by the service, safe because a published version never changes.
    choice_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    value = models.DecimalField(_("valeur"), max_digits=14, decimal_places=3, null=True, blank=True)
    not_applicable = models.BooleanField(_("non concerné"), default=False)
    # A multiple-choice question answered with no box ticked, on purpose (« aucune de ces pratiques »).
    explicit_none = models.BooleanField(_("aucune de ces pratiques"), default=False)
    comment = models.TextField(_("commentaire"), blank=True, max_length=2000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    answered_at = models.DateTimeField(_("répondu le"))
    # Copied from the previous assessment (carry_over.py) and neither confirmed nor changed since:
    # submission waits until none is left.
    to_confirm = models.BooleanField(_("à confirmer"), default=False)

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        constraints = [models.UniqueConstraint(fields=["assessment", "question"], name="one_answer_per_question")]

    def __str__(self):
        return f"{self.assessment_id}/{self.question_id}"

    @property
    def is_answered(self):
        """Something was given: a choice, a value, « non concerné » — or, for multiple choice, an explicit "none".

        The same rule as ANSWERED."""
        return self.not_applicable or bool(self.choice_ids) or self.value is not None or self.explicit_none
