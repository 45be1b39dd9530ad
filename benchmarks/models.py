"""The national view's rows, in the public schema: anonymised aggregates, never an organisation.

A territory's row holds counts and sums by organisation kind and theme (review/national.py computes
them in its schema); the merge (benchmarks/merge.py) adds them up into NationalBenchmark rows, by
organisation kind and theme, nationally and for each kind of EPCI, and keeps only the groups that the
small-group rule lets through. Only the merged rows and each territory's key figures are ever shown.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TerritoryBenchmark(models.Model):
    """A territory's aggregates as its last collection computed them."""

    territory = models.OneToOneField("tenants.Territory", on_delete=models.CASCADE, related_name="benchmark")
    collected_at = models.DateTimeField(_("collecté le"))
    # {"organisations", "organisations_assessed", "assessments_submitted", "actions_completed",
    #  "level_sum", "level_count"}
    figures = models.JSONField(default=dict)
    # [[organisation kind or "", theme code or "" (overall), organisations, sum of their scores], …]
    groups = models.JSONField(default=list)
    themes = models.JSONField(default=list)  # [[code, title]] of its published referential, in order
    kinds = models.JSONField(default=dict)  # {organisation kind: its label}
    version = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("agrégats d'un territoire")
        verbose_name_plural = _("agrégats des territoires")

    def __str__(self):
        return str(self.territory)


class NationalBenchmark(models.Model):
    """The average score of a group of organisations: of a kind (or all), on a theme (or overall),
    across every territory (epci_kind "") or those of one kind of EPCI. Five organisations or more."""

    epci_kind = models.CharField(_("type d'EPCI"), max_length=20, blank=True)
    organisation_kind = models.CharField(_("type d'organisation"), max_length=30, blank=True)
    organisation_kind_label = models.CharField(_("libellé du type"), max_length=80, blank=True)
    theme = models.CharField(_("thème"), max_length=20, blank=True)
    theme_title = models.CharField(_("titre du thème"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    organisations = models.PositiveIntegerField(_("organisations"))
    territories = models.PositiveIntegerField(_("territoires"))
    average = models.DecimalField(_("score moyen"), max_digits=4, decimal_places=1)
    merged_at = models.DateTimeField(_("calculé le"))

    class Meta:
        verbose_name = _("comparaison nationale")
        verbose_name_plural = _("comparaisons nationales")
        ordering = ["epci_kind", "organisation_kind", "position", "theme"]
        constraints = [
            models.UniqueConstraint(fields=["epci_kind", "organisation_kind", "theme"], name="one_benchmark_per_group")
        ]

    def __str__(self):
        return f"{self.epci_kind or 'national'} / {self.organisation_kind or 'tous'} / {self.theme or 'global'}"

    @classmethod
    def merged_last(cls):
        """When the rows were last merged (benchmarks.services replaces them all at once): what a page
        that keeps the comparison rendered is keyed on."""
        return cls.objects.aggregate(last=models.Max("merged_at"))["last"]
