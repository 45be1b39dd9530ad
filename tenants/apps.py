from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Territoires")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Domain, Territory
        from .resolution import forget_territories

        def on_change(**kwargs):
            forget_territories()

        for model in (Territory, Domain):
            post_save.connect(on_change, sender=model, dispatch_uid=f"forget-territories-save-{model.__name__}")
            post_delete.connect(on_change, sender=model, dispatch_uid=f"forget-territories-delete-{model.__name__}")
