"""Onboarding a territory: one service, called by `create_territory` and the national back office."""

import logging
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists
from psycopg import sql

from accounts.enums import Role
from accounts.services import invite_team_member

from .constants import DEFAULT_ACCENT_COLOR, DEFAULT_PROGRAMME_NAME, DEFAULT_TIME_ZONE, RESERVED_SLUGS
from .enums import EpciKind, TerritoryStatus
from .models import Domain, Territory
from .provisioning import provisioning_hooks

logger = logging.getLogger(__name__)


class ProvisioningError(Exception):
    """Bad input for onboarding: `errors` maps a field name to French messages."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{field} : {' '.join(msgs)}" for field, msgs in errors.items()))


@dataclass(frozen=True)
class TerritorySpec:
    name: str
    slug: str
    domain: str
    admin_email: str
    kind: str = ""
    siren: str = ""
    programme_name: str = DEFAULT_PROGRAMME_NAME
    presentation: str = ""
    accent_color: str = DEFAULT_ACCENT_COLOR
    contact_email: str = ""
    time_zone: str = DEFAULT_TIME_ZONE


@dataclass(frozen=True)
class ProvisionResult:
    territory: Territory
    created: bool


def schema_name_for(slug):
    return slug.replace("-", "_")


def _clean_spec(spec):
    """Validate everything before touching the database; raise ProvisioningError listing every problem."""
    errors = {}
    values = {key: value.strip() for key, value in asdict(spec).items()}
    values.update(slug=values["slug"].lower(), domain=values["domain"].lower(), siren=values["siren"].replace(" ", ""))
    spec = TerritorySpec(**values)
    candidate = Territory(
        schema_name=schema_name_for(spec.slug),
        name=spec.name,
        slug=spec.slug,
        kind=spec.kind,
        siren=spec.siren,
        programme_name=spec.programme_name or DEFAULT_PROGRAMME_NAME,
        presentation=spec.presentation,
        accent_color=spec.accent_color or DEFAULT_ACCENT_COLOR,
        contact_email=spec.contact_email,
        time_zone=spec.time_zone or DEFAULT_TIME_ZONE,
    )
    try:
        # Uniqueness is checked below, with messages that name the territory in the way.
        candidate.full_clean(validate_unique=False, exclude=["schema_name"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if spec.kind and spec.kind not in EpciKind.values:
        errors.setdefault("kind", []).append(_("Type d'EPCI inconnu."))
    if spec.slug in RESERVED_SLUGS:
        errors.setdefault("slug", []).append(_("Cet identifiant est réservé par la plateforme."))
    if not spec.domain or "." not in spec.domain or " " in spec.domain or "/" in spec.domain:
        errors.setdefault("domain", []).append(
            _("Indiquez un nom de domaine valide, par exemple territoire.assett.fr.")
        )
    try:
        validate_email(spec.admin_email)
    except ValidationError:
        errors.setdefault("admin_email", []).append(
            _("Indiquez l'adresse électronique valide de l'administrateur·rice.")
        )
    if errors:
        raise ProvisioningError(errors)
    return spec, candidate


def _check_conflicts(spec):
    """Returns the existing territory when this exact onboarding already happened (idempotence).

    Called under _lock_onboarding_of(spec), inside the transaction: outside it, two calls could both pass."""
    existing = Territory.objects.filter(slug=spec.slug).first()
    domain_owner = Domain.objects.filter(domain=spec.domain).select_related("tenant").first()
    if existing and domain_owner and domain_owner.tenant_id == existing.pk:
        return existing
    errors = {}
    if existing:
        errors["slug"] = [
            _("L'identifiant « %(slug)s » est déjà utilisé par %(name)s.") % {"slug": spec.slug, "name": existing.name}
        ]
    if domain_owner:
        errors["domain"] = [
            _("Le domaine « %(domain)s » est déjà utilisé par %(name)s.")
            % {"domain": spec.domain, "name": domain_owner.tenant.name}
        ]
    siren_owner = Territory.objects.filter(siren=spec.siren).first() if spec.siren else None
    if siren_owner:
        errors["siren"] = [
            _("Le SIREN %(siren)s est déjà celui %(of_name)s : un EPCI n'a qu'un territoire sur la plateforme.")
            % {"siren": spec.siren, "of_name": siren_owner.of_name}
        ]
    if not existing and schema_exists(schema_name_for(spec.slug)):
        errors.setdefault("slug", []).append(_("Un schéma de base de données porte déjà ce nom."))
    if errors:
        raise ProvisioningError(errors)
    return None


def provision_territory(spec, logo=None):
    """Create a territory: schema, domain, branding, first admin (invited by email), then the apps' hooks.

    Idempotent: the same slug and domain again returns the existing territory untouched.
    All or nothing: any failure rolls back every row and the schema.
    Safe when run twice at once (a double click, the command beside the form): the second call waits for
    the first, then returns its territory or refuses in French.
    """
    spec, territory = _clean_spec(spec)
    connection.set_schema_to_public()
    schema_created = False
    try:
        with transaction.atomic():
            _lock_onboarding_of(spec)
            # Checked under the lock: a call that was waiting sees what the one before it committed.
            existing = _check_conflicts(spec)
            if existing:
                return ProvisionResult(existing, created=False)
            # Its team prepares it before it is announced (tenants.enums.TerritoryStatus).
            territory.status = TerritoryStatus.PREPARING
            territory.save()
            Domain.objects.create(domain=spec.domain, tenant=territory, is_primary=True)
            _create_schema(territory.schema_name)
            schema_created = True
            with schema_context(territory.schema_name):
                if logo is not None:
                    territory.logo.save(logo.name, logo, save=False)
                invite_team_member(territory, spec.admin_email, Role.ADMIN)
                for hook in provisioning_hooks():
                    hook(territory)
            if logo is not None:
                territory.save(update_fields=["logo"])
    except Exception:
        logger.exception("Provisioning of %s failed; rolling back", spec.slug)
        if schema_created:
            _drop_schema_left_by(spec, territory.schema_name)
        raise
    finally:
        connection.set_schema_to_public()
    logger.info("Territory %s provisioned on %s", spec.slug, spec.domain)
    return ProvisionResult(territory, created=True)


def _lock_onboarding_of(spec):
    """One transaction-scoped advisory lock per slug, domain and SIREN, so onboardings that could collide run one
    after the other. Taken in a fixed order, so that two calls never wait for each other crosswise."""
    with connection.cursor() as cursor:
        for key in sorted({f"slug:{spec.slug}", f"domain:{spec.domain}", f"siren:{spec.siren or spec.slug}"}):
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"assett.provision_territory.{key}"]
            )


def _create_schema(schema_name):
    """The schema and the tenant apps' tables, inside the caller's transaction (PostgreSQL's DDL is transactional).

    Done here rather than by TenantMixin.create_schema so that this call knows it created the schema itself."""
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema_name)))
    call_command("migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=0)
    connection.set_schema_to_public()


def _drop_schema_left_by(spec, schema_name):
    """The rollback has already removed the schema this call created; this only covers DDL that escaped it.

    Under the same lock, a schema of that name that no territory owns can only be this call's: one that another
    onboarding committed meanwhile has its territory, and is never dropped."""
    connection.set_schema_to_public()
    with transaction.atomic():
        _lock_onboarding_of(spec)
        if schema_exists(schema_name) and not Territory.objects.filter(schema_name=schema_name).exists():
            with connection.cursor() as cursor:
                cursor.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema_name)))


@transaction.atomic
def set_territory_status(territory, status):
    territory.status = status
    territory.save(update_fields=["status"])
    return territory
