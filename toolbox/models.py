"""The toolbox (actions, their partners and schemes), the organisations' action plans and the PCAET.

An action links to the referential by question *code*, not by row: codes stay the same from one
referential version to the next (referentiel/codes.py), so a new version keeps its actions.
National content arrives by import (toolbox/loader.py); a territory's local changes to a national
action are listed in `adapted_fields`, which a re-import of the national toolbox leaves alone.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.enums import HeadcountBand, OrganisationKind

from .enums import CostBand, Duration, ImpactTier, Origin, PlanStatus, Priority, SchemeKind


class Partner(models.Model):
    """A local partner who helps organisations act (a CCI, an energy agency, a network...)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    role = models.CharField(_("rôle"), max_length=300, blank=True)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    website = models.URLField(_("site internet"), blank=True)
    origin = models.CharField(_("origine"), max_length=10, choices=Origin.choices, default=Origin.LOCAL)

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SchemeQuerySet(models.QuerySet):
    def current(self, today=None):
        """Schemes still valid: an expired scheme is never shown to participants."""
        today = today or timezone.localdate()
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))


class Scheme(models.Model):
    """A funding or support scheme (« dispositif »): free support, training, grant, loan, tax aid."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    provider = models.CharField(_("porteur"), max_length=200, blank=True)
    kind = models.CharField(_("nature"), max_length=20, choices=SchemeKind.choices)
    url = models.URLField(_("lien"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    # Where the facts come from and when someone last checked them (national schemes always carry both).
    source_url = models.URLField(_("source"), blank=True)
    checked_on = models.DateField(_("vérifié le"), null=True, blank=True)
    origin = models.CharField(_("origine"), max_length=10, choices=Origin.choices, default=Origin.LOCAL)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispositif d'aide")
        verbose_name_plural = _("dispositifs d'aide")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_expired(self):
        return self.valid_until is not None and self.valid_until < timezone.localdate()


class Action(models.Model):
    """A « fiche action »: a concrete step that helps an organisation leave a maturity level on a theme."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    origin = models.CharField(_("origine"), max_length=10, choices=Origin.choices, default=Origin.LOCAL)
    title = models.CharField(_("titre"), max_length=200)
    promise = models.CharField(_("promesse"), max_length=300, help_text=_("En une phrase : ce que l'action apporte."))
    body = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    # Theme codes of the referential: the main one, then the others it also serves.
    main_theme = models.CharField(_("thème principal"), max_length=20)
    themes = ArrayField(models.CharField(max_length=20), default=list, blank=True, verbose_name=_("autres thèmes"))
    levels = ArrayField(
        models.PositiveSmallIntegerField(),
        default=list,
        blank=True,
        verbose_name=_("niveaux de maturité qu'elle aide à quitter"),
        help_text=_("Rangs des niveaux ; vide : tous."),
    )
    organisation_kinds = ArrayField(
        models.CharField(max_length=30, choices=OrganisationKind.choices),
        default=list,
        blank=True,
        verbose_name=_("types d'organisation"),
        help_text=_("Vide : tous les types."),
    )
    headcount_bands = ArrayField(
        models.CharField(max_length=2, choices=HeadcountBand.choices),
        default=list,
        blank=True,
        verbose_name=_("tranches d'effectif"),
        help_text=_("Vide : toutes les tailles."),
    )
    # NAF sections (« C ») or divisions (« 10 ») where the action matters more.
    naf_codes = ArrayField(
        models.CharField(max_length=2), default=list, blank=True, verbose_name=_("secteurs d'activité (NAF)")
    )
    cost = models.CharField(_("coût"), max_length=10, choices=CostBand.choices)
    duration = models.CharField(_("durée de mise en œuvre"), max_length=10, choices=Duration.choices)
    impact = models.CharField(_("impact"), max_length=10, choices=ImpactTier.choices)
    co2_tonnes_per_year = models.DecimalField(
        _("gain estimé (tCO2e par an)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    co2_source = models.CharField(_("source de l'estimation"), max_length=500, blank=True)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="unlocks", verbose_name=_("prérequis")
    )
    partners = models.ManyToManyField(Partner, blank=True, related_name="actions", verbose_name=_("partenaires"))
    schemes = models.ManyToManyField(Scheme, blank=True, related_name="actions", verbose_name=_("dispositifs"))
    # Local only: staff hide an action (participants no longer see it) and order the list.
    hidden = models.BooleanField(_("masquée"), default=False)
    order = models.PositiveIntegerField(_("ordre"), default=0)
    # Names of the national fields (constants.NATIONAL_ACTION_FIELDS) this territory changed.
    adapted_fields = ArrayField(models.CharField(max_length=40), default=list, blank=True, editable=False)
    # The national fields as last imported, so that staff see what the national toolbox says
    # beside their adaptation, and can go back to it.
    national_data = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The full-text document (title A, promise B, body and steps C, French stems without accents).
    # Written by PostgreSQL triggers only (toolbox/migrations/0002_search.py says why): whatever
    # Django holds here is never read, and never saved over the triggers' value.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("fiche action")
        verbose_name_plural = _("fiches actions")
        ordering = ["order", "code"]
        indexes = [
            models.Index(fields=["main_theme", "hidden"]),
            # Without the pending list (fastupdate): the toolbox is read far more than written, and an
            # import of a whole toolbox left thousands of entries there, which every search then scanned
            # (a search of 2,000 actions took three times as long until a vacuum merged them).
            GinIndex(fields=["search_vector"], name="action_search_vector_gin", fastupdate=False),
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"


class ActionStep(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("ordre"), default=0)
    text = models.CharField(_("étape"), max_length=500)
    url = models.URLField(_("lien"), blank=True)

    class Meta:
        verbose_name = _("étape")
        verbose_name_plural = _("étapes")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text


class ActionQuestion(models.Model):
    """The action answers this referential question: recommended when the answer is at or below `up_to_step`.

    Steps count from 1, the lowest answer of the question's ladder (see toolbox/recommend.py).
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="question_links")
    question_code = models.CharField(_("code de la question"), max_length=30)
    up_to_step = models.PositiveSmallIntegerField(_("recommandée jusqu'à l'échelon"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("question liée")
        verbose_name_plural = _("questions liées")
        constraints = [models.UniqueConstraint(fields=["action", "question_code"], name="unique_action_question")]
        indexes = [models.Index(fields=["question_code"])]

    def __str__(self):
        return f"{self.action_id} ← {self.question_code} ≤ {self.up_to_step}"


class PlanItem(models.Model):
    """One line of an organisation's action plan: a toolbox action, or one the organisation wrote itself."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="plan_items")
    # PROTECT: an action in a plan is hidden by staff, never deleted under the organisation's feet.
    action = models.ForeignKey(Action, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_items")
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    theme = models.CharField(_("thème"), max_length=20, blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.TODO)
    priority = models.CharField(_("priorité"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsable"),
    )
    start_date = models.DateField(_("date de début"), null=True, blank=True)
    target_date = models.DateField(_("échéance"), null=True, blank=True)
    completed_at = models.DateTimeField(_("réalisée le"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action du plan")
        verbose_name_plural = _("actions du plan")
        ordering = ["target_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "action"], condition=Q(action__isnull=False), name="action_once_per_plan"
            )
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.status in (PlanStatus.TODO, PlanStatus.IN_PROGRESS, PlanStatus.PAUSED)

    def is_overdue(self, today=None):
        """« En retard »: computed from the target date, never stored."""
        today = today or timezone.localdate()
        return self.is_open and self.target_date is not None and self.target_date < today


class PlanStep(models.Model):
    """A step of a plan item, ticked when done (copied from the action's steps when the item is added)."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(default=0)
    text = models.CharField(_("étape"), max_length=500)
    url = models.URLField(_("lien"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("étape du plan")
        verbose_name_plural = _("étapes du plan")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text


class PlanNote(models.Model):
    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"), max_length=2000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.text[:60]


class PcaetAction(models.Model):
    """An action of the territory's climate plan (PCAET), as imported by staff."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("intitulé"), max_length=300)
    axis = models.CharField(_("axe / enjeu"), max_length=300, blank=True)
    order = models.PositiveIntegerField(default=0)
    toolbox_actions = models.ManyToManyField(
        Action, blank=True, related_name="pcaet_actions", verbose_name=_("actions de la boîte à outils")
    )

    class Meta:
        verbose_name = _("action du PCAET")
        verbose_name_plural = _("actions du PCAET")
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.code} – {self.title}"


class PcaetProgramme(models.Model):
    """What the territory says of its imported PCAET (one row): its name, and a note such as « illustratif »."""

    title = models.CharField(_("intitulé"), max_length=300)
    note = models.TextField(_("note"), blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("programme du PCAET")
        verbose_name_plural = _("programmes du PCAET")

    def __str__(self):
        return self.title


class Revision(models.Model):
    """When something cached fragments show last changed (toolbox/revisions.py): `plan:<organisation id>`
    for an organisation's plan, `toolbox` for the territory's toolbox.

    Written by PostgreSQL triggers only (migration 0005), in the transaction of every write that changes
    what the fragment shows, whatever makes it (the services, a bulk_create, a queryset update, the admin,
    the national import): a fragment is never shown as it was before a committed change. No foreign key:
    the triggers touch a plan's row while Django deletes an organisation's items, before the organisation
    itself; a row left behind names nobody.
    """

    key = models.CharField(max_length=40, primary_key=True)
    changed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.key}: {self.changed_at}"
