"""One organisation per SIRET: who already holds a SIRET, and how to say so to the person registering."""

from django.utils.translation import gettext_lazy as _

from .models import Organisation

ALREADY_REGISTERED = _(
    "Une organisation est déjà inscrite avec ce SIRET sur le programme : "
    "demandez à la rejoindre plutôt que de l'inscrire une seconde fois."
)


def registered_organisation(siret, exclude=None):
    """The organisation of the territory registered with `siret`, other than `exclude`, or None."""
    if not siret:
        return None
    organisations = Organisation.objects.filter(siret=siret)
    if exclude is not None and exclude.pk:
        organisations = organisations.exclude(pk=exclude.pk)
    return organisations.only("pk", "public_id", "name", "commune").first()
