"""What an organisation registered outside the territory may do before its staff accept it.

The programme's resources are the territory's: its assessment (read by its staff, counted in its
review), its events (seats paid by the territory). An organisation whose commune lies outside waits
for the staff's acceptance before it starts an assessment or registers anyone for an event. Its space,
its members and invitations, its plan (notes on the public toolbox) and the reports of assessments
made before a move stay open: nothing there spends the programme's means. The services that write
(referentiel.services.start_assessment, events.registration.register_for_event) ask here; the
templates ask too, only to show the notice instead of a button.
"""

from django.utils.translation import gettext as _


def pending_reason(organisation):
    """The French sentence saying why the organisation must wait, or None when it may go ahead."""
    if not organisation.awaits_acceptance:
        return None
    return _(
        "%(name)s attend la validation de l'équipe du territoire : sa commune, %(commune)s, est hors du "
        "territoire. Vous pourrez commencer l'auto-évaluation et vous inscrire aux événements dès que "
        "l'équipe aura accepté l'inscription."
    ) % {"name": organisation.name, "commune": organisation.commune}
