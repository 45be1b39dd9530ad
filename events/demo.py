"""A demo season of events for one territory (used by `seed_demo`, after the demo organisations and plans).

Past events with registrations, attendance and feedback; upcoming ones, some run with a workshop format
and the toolbox actions they work on; one full with its waitlist; a draft and a cancelled one. Times
are local working hours in the territory's own zone (in Mayotte, mornings from 8:00 and late afternoons
ending before nightfall, no event on a Friday; nowhere during the year-end holidays). Rows are written
through the models, within the rules the registration services keep: never more confirmed than the
capacity, never more seats than the per-organisation limit (confirmed and waitlisted together),
feedback only from those present.
Idempotent: a territory that has events is left alone.
"""

import random
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import F
from django.utils import timezone

from accounts.models import User
from toolbox.enums import Origin
from toolbox.models import Action

from .enums import Attendance, EventKind, EventMode, EventStatus, RegistrationStatus
from .models import Event, Feedback, Registration, WorkshopFormat

COMMUNES = {
    "grand-poitiers": "Poitiers",
    "toulouse-metropole": "Toulouse",
    "haut-poitou": "Neuville-de-Poitou",
    "rouen-normandie": "Rouen",
    "centre-ouest-mayotte": "Tsingoni",
    "grand-orly-seine-bievre": "Vitry-sur-Seine",
    "grand-besancon": "Besançon",
}
MAYOTTE = "Indian/Mayotte"
# Local start times: (morning, afternoon, late afternoon). In Mayotte the working day starts early and
# night falls around 18:00 all year, so the late slot ends by then.
SLOTS = {MAYOTTE: (time(8, 0), time(14, 0), time(16, 0))}
DEFAULT_SLOTS = (time(9, 0), time(14, 0), time(17, 30))
MORNING, AFTERNOON, LATE = range(3)

KEEP = [
    "Les échanges entre entreprises voisines : on repart avec des contacts utiles.",
    "Le rythme, et des exemples concrets du territoire.",
    "Le temps en petits groupes, où chacun a pu parler de sa situation.",
    "Les fiches actions remises à la fin, avec les aides possibles.",
    "",
]
CHANGE = [
    "Un peu plus de temps pour les questions à la fin.",
    "Envoyer la liste des participants avant la rencontre.",
    "Une salle plus facile d'accès en transports en commun.",
    "",
    "",
]


@dataclass
class Plan:
    """One demo event: when (days from today, slot), what, and who comes."""

    days: int
    slot: int
    minutes: int
    title: str
    kind: str
    description: str
    themes: list = field(default_factory=list)
    mode: str = EventMode.ON_SITE
    place: str = ""
    capacity: int | None = None
    per_organisation: int | None = None
    format_code: str = ""
    actions: list = field(default_factory=list)
    status: str = EventStatus.PUBLISHED
    registrants: int = 0  # how many people try to register


def season(commune, territory_name):
    venue = f"Salle du conseil, siège de {territory_name}, {commune}"
    return [
        Plan(
            -75,
            MORNING,
            120,
            f"Rencontre de lancement des acteurs engagés de {commune}",
            EventKind.MEETING,
            "Le programme, les premiers résultats des auto-évaluations et un **speed-meeting** pour faire "
            "connaissance entre entreprises, associations et établissements publics.",
            place=venue,
            capacity=40,
            per_organisation=3,
            format_code="speed-meeting",
            actions=["PIL-A01", "MOB-A04"],
            registrants=11,
        ),
        Plan(
            -48,
            AFTERNOON,
            90,
            "Webinaire : le décret tertiaire en pratique",
            EventKind.WEBINAR,
            "Qui est concerné, comment déclarer sur OPERAT, par quoi commencer pour tenir l'objectif 2030.",
            themes=["ENE"],
            mode=EventMode.ONLINE,
            actions=["ENE-A03", "ENE-A04"],
            registrants=8,
        ),
        Plan(
            -34,
            AFTERNOON,
            120,
            "Atelier : nos gestes de sobriété énergétique",
            EventKind.WORKSHOP,
            "Trois quarts d'heure pour faire émerger, en 1-2-4-tous, les gestes de sobriété que chacun peut "
            "appliquer tout de suite, puis un temps d'échange avec le conseiller énergie.",
            themes=["ENE", "EAU"],
            place=venue,
            capacity=20,
            per_organisation=2,
            format_code="un-deux-quatre-tous",
            actions=["ENE-A05", "ENE-A01", "EAU-A03"],
            registrants=10,
        ),
        Plan(
            -13,
            MORNING,
            150,
            "Visite : une toiture solaire en autoconsommation",
            EventKind.SITE_VISIT,
            "Visite d'une toiture équipée de panneaux solaires chez une entreprise du territoire, puis "
            "débriefing : coûts, délais, aides et erreurs à éviter.",
            themes=["ENE"],
            place=f"Zone d'activités, {commune}",
            capacity=15,
            per_organisation=1,
            format_code="debriefing-visite",
            actions=["ENE-A08"],
            registrants=9,
        ),
        Plan(
            12,
            LATE,
            90,
            "World café : vers zéro déchet dans nos organisations",
            EventKind.WORKSHOP,
            "Trois tables, trois questions : réduire à la source, trier les cinq flux, donner une seconde vie "
            "au matériel. Ouvert à tous les participants du programme.",
            themes=["DEC"],
            mode=EventMode.HYBRID,
            place=venue,
            capacity=30,
            per_organisation=3,
            format_code="world-cafe",
            actions=["DEC-A06", "DEC-A03", "DEC-A08"],
            registrants=7,
        ),
        Plan(
            26,
            MORNING,
            90,
            "Codéveloppement : mobiliser sa direction et ses équipes",
            EventKind.WORKSHOP,
            "Un groupe de pairs pour avancer sur une difficulté réelle de votre démarche. Places limitées à "
            "une personne par organisation, pour un groupe de six.",
            themes=["PIL"],
            place=venue,
            capacity=6,
            per_organisation=1,
            format_code="codeveloppement",
            actions=["PIL-A01", "PIL-A02"],
            registrants=10,  # more than the six seats: the waitlist
        ),
        Plan(
            47,
            AFTERNOON,
            90,
            "Atelier d'engagement : ma prochaine action",
            EventKind.WORKSHOP,
            "Pour clore la saison : chaque organisation repart avec une action précise, datée, et l'ajoute à "
            "son plan d'actions.",
            place=venue,
            capacity=25,
            per_organisation=2,
            format_code="atelier-engagement",
            actions=["PIL-A01", "ENE-A01", "DEC-A01", "MOB-A01"],
            registrants=4,
        ),
        Plan(
            19,
            AFTERNOON,
            60,
            "Webinaire : le forfait mobilités durables",
            EventKind.WEBINAR,
            "Reporté à une date ultérieure.",
            themes=["MOB"],
            mode=EventMode.ONLINE,
            actions=["MOB-A05"],
            status=EventStatus.CANCELLED,
            registrants=3,
        ),
        Plan(
            75,
            LATE,
            60,
            "Speed-meeting de printemps",
            EventKind.MEETING,
            "En préparation.",
            place=venue,
            capacity=40,
            per_organisation=3,
            format_code="speed-meeting",
            status=EventStatus.DRAFT,
        ),
    ]


def _local_start(today, days, slot, zone, time_zone):
    """The local start of an event `days` from `today`, moved to a working day (not a Friday in Mayotte)."""
    day = today + timedelta(days=days)
    rest_days = {4, 5, 6} if time_zone == MAYOTTE else {5, 6}
    while day.weekday() in rest_days or _year_end(day):
        day += timedelta(days=1 if days >= 0 else -1)
    start = (SLOTS.get(time_zone) or DEFAULT_SLOTS)[slot]
    return datetime.combine(day, start, tzinfo=zone)


def _year_end(day):
    """The end-of-year holidays, when nobody holds a workshop."""
    return (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day <= 3)


def seed_demo_events(territory, organisations):
    if Event.objects.exists():
        return
    rng = random.Random(f"events-{territory.slug}")
    zone = zoneinfo.ZoneInfo(territory.time_zone)
    now = timezone.now()
    today = now.astimezone(zone).date()
    commune = COMMUNES.get(territory.slug, "la ville centre")
    staff = User.objects.filter(email=f"equipe@{territory.slug}.localhost").first()
    formats = {row.code: row for row in WorkshopFormat.objects.filter(origin=Origin.NATIONAL)}
    actions = Action.objects.in_bulk(field_name="code")
    people = [
        (membership.user, organisation)
        for organisation in organisations
        for membership in organisation.memberships.select_related("user").order_by("pk")
    ]
    for plan in season(commune, territory.name):
        starts_at = _local_start(today, plan.days, plan.slot, zone, territory.time_zone)
        event = Event.objects.create(
            title=plan.title,
            kind=plan.kind,
            description=plan.description,
            themes=plan.themes,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=plan.minutes),
            mode=plan.mode,
            place=plan.place,
            online_url="https://visio.example.org/assett-demo" if plan.mode != EventMode.ON_SITE else "",
            capacity=plan.capacity,
            seats_per_organisation=plan.per_organisation,
            # A month ahead, and for the later ones at least ten days ago: every demo registration is in the past.
            registration_opens_at=min(starts_at - timedelta(days=30), now - timedelta(days=10)),
            status=plan.status,
            contact=f"equipe@{territory.slug}.localhost",
            format=formats.get(plan.format_code),
            created_by=staff,
        )
        event.actions.set([actions[code] for code in plan.actions if code in actions])
        if plan.status == EventStatus.CANCELLED:
            Event.objects.filter(pk=event.pk).update(cancelled_at=now - timedelta(days=2), sequence=F("sequence") + 1)
        _register(event, plan, rng.sample(people, min(plan.registrants, len(people))), rng, now)


def _register(event, plan, chosen, rng, now):
    """Seats in the order people asked, within the capacity and the per-organisation limit."""
    confirmed, per_organisation = 0, {}
    past = event.ends_at < now
    for position, (user, organisation) in enumerate(chosen):
        if plan.per_organisation is not None and per_organisation.get(organisation.pk, 0) >= plan.per_organisation:
            continue  # the organisation has its seats: this colleague does not ask
        asked_at = event.registration_opens_at + timedelta(hours=6 + 9 * position)
        full = plan.capacity is not None and confirmed >= plan.capacity
        status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.CONFIRMED
        if event.status == EventStatus.CANCELLED:
            status = RegistrationStatus.CANCELLED
        registration = Registration.objects.create(
            event=event,
            user=user,
            organisation=organisation,
            registered_by=user,
            status=status,
            confirmed_at=asked_at if status == RegistrationStatus.CONFIRMED else None,
            cancelled_at=now - timedelta(days=2) if status == RegistrationStatus.CANCELLED else None,
        )
        Registration.objects.filter(pk=registration.pk).update(created_at=asked_at)
        per_organisation[organisation.pk] = per_organisation.get(organisation.pk, 0) + 1
        if status == RegistrationStatus.CONFIRMED:
            confirmed += 1
            if past:
                _attend(registration, event, rng)


def _attend(registration, event, rng):
    present = rng.random() < 0.8
    registration.attendance = Attendance.PRESENT if present else Attendance.ABSENT
    registration.reminder_sent_at = event.starts_at - timedelta(days=event.reminder_days_before)
    registration.feedback_requested_at = event.ends_at + timedelta(hours=2)
    registration.save(update_fields=["attendance", "reminder_sent_at", "feedback_requested_at"])
    if present and rng.random() < 0.75:
        feedback = Feedback.objects.create(
            registration=registration,
            satisfaction=rng.choice([3, 4, 4, 5, 5]),
            keep=rng.choice(KEEP),
            change=rng.choice(CHANGE),
        )
        Feedback.objects.filter(pk=feedback.pk).update(created_at=event.ends_at + timedelta(hours=rng.randint(3, 60)))
