from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    ENTREPRISE = "entreprise", _("Entreprise")
    ASSOCIATION = "association", _("Association")
    ETABLISSEMENT_PUBLIC = "etablissement_public", _("Établissement public")


class HeadcountBand(models.TextChoices):
    """INSEE « tranches d'effectif salarié » (codes of the SIRENE register)."""

    NN = "NN", _("Non employeuse")
    B00 = "00", _("0 salarié")
    B01 = "01", _("1 ou 2 salariés")
    B02 = "02", _("3 à 5 salariés")
    B03 = "03", _("6 à 9 salariés")
    B11 = "11", _("10 à 19 salariés")
    B12 = "12", _("20 à 49 salariés")
    B21 = "21", _("50 à 99 salariés")
    B22 = "22", _("100 à 199 salariés")
    B31 = "31", _("200 à 249 salariés")
    B32 = "32", _("250 à 499 salariés")
    B41 = "41", _("500 à 999 salariés")
    B42 = "42", _("1 000 à 1 999 salariés")
    B51 = "51", _("2 000 à 4 999 salariés")
    B52 = "52", _("5 000 à 9 999 salariés")
    B53 = "53", _("10 000 salariés et plus")


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Responsable")
    MEMBER = "member", _("Membre")


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Refusée")
    WITHDRAWN = "withdrawn", _("Retirée")
    # Stored when a newer request replaces a pending one that had outlived JOIN_REQUEST_VALIDITY.
    EXPIRED = "expired", _("Expirée")


class InvitationState(models.TextChoices):
    PENDING = "pending", _("En attente")
    EXPIRED = "expired", _("Expirée")
    REVOKED = "revoked", _("Annulée")
    ACCEPTED = "accepted", _("Acceptée")
