from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferentielConfig(AppConfig):
    name = "referentiel"
    verbose_name = _("Référentiel d'auto-évaluation")

    def ready(self):
        from tenants.provisioning import register_provisioning_hook

        from .loader import install_national_referential

        register_provisioning_hook(install_national_referential)

        from tenants.figures import register_figures

        from .figures import assessment_figures

        register_figures(assessment_figures)

        from django.db.models.signals import post_delete

        from .models import Assessment

        post_delete.connect(_forget_averages_without_it, sender=Assessment, dispatch_uid="assessment_deleted")


def _forget_averages_without_it(sender, instance, **kwargs):
    # A deleted organisation takes its submitted assessments out of the cached kind averages.
    from django.db import transaction

    from .enums import AssessmentStatus
    from .results import forget_kind_averages

    if instance.status == AssessmentStatus.SUBMITTED:
        transaction.on_commit(forget_kind_averages)
