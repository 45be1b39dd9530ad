"""Who gets what, for every URL of both sites: the permission table (in the way of pretix's
src/tests/control/test_permissions.py).

Every URL pattern of assett.urls_tenants and assett.urls_public (allauth's and the admin's
included) has a row: the URL to request with the objects of tests/roles.py, and the status each
role gets for GET and for POST. A pattern without a row fails `test_every_url_pattern_has_a_row`:
a new view comes with its row. A role answered anything else than its cell (more access, or less)
fails `test_*_site_answers_each_role_as_the_table_says`.

Cells: a status code, or LOGIN (a 302 to the site's login page). On a territory's site, the national
admin and a user of territory B carry their own site's session cookie: they must get exactly what
the anonymous visitor gets (an account of one site is unknown on another), and so must A's territory
admin on the national site; the tests check that too, without columns of their own.
"""

import pytest
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver

from . import roles

LOGIN = "login"

# The roles of a territory's columns: anonymous, owner of the organisation the URL is about, a
# plain member of it, the owner of another organisation, territory staff, territory admin.
EVERYONE = (200, 200, 200, 200, 200, 200)
LOGGED_IN = (LOGIN, 200, 200, 200, 200, 200)
MEMBERS = (LOGIN, 200, 200, 404, 404, 404)
OWNER = (LOGIN, 200, 404, 404, 404, 404)
STAFF = (LOGIN, 404, 404, 404, 200, 200)
ADMIN = (LOGIN, 404, 404, 404, 404, 200)
# Views that refuse the method before looking at the user: every logged-in role gets a 405.
WRONG_METHOD = (LOGIN, 405, 405, 405, 405, 405)
STAFF_WRONG_METHOD = (LOGIN, 404, 404, 404, 405, 405)
STAFF_ACTION = (LOGIN, 404, 404, 404, 302, 302)  # done, back to the editor
OWNER_ACTION = (LOGIN, 302, 404, 404, 404, 404)
MEMBER_ACTION = (LOGIN, 302, 302, 404, 404, 404)
# A report job (reports/): the organisation's members and the territory's staff.
REPORT_READERS = (LOGIN, 200, 200, 404, 200, 200)
ALLAUTH_SIGNED_IN_ELSEWHERE = (200, 302, 302, 302, 302, 302)  # login and sign-up: a logged-in user is sent on

TERRITORY = {
    # route: (URL, GET, POST)
    "": ("/", EVERYONE, EVERYONE),
    "theme.css": ("/theme.css", EVERYONE, EVERYONE),
    "media/<path:path>": ("/media/branding/absent.png", (404,) * 6, (404,) * 6),
    "gestion/territoire/": ("/gestion/territoire/", ADMIN, ADMIN),
    # A is open already: there is nothing to open, for anyone (tests/tenants/test_backoffice.py opens one).
    "gestion/territoire/ouvrir/": (
        "/gestion/territoire/ouvrir/",
        (LOGIN, 404, 404, 404, 404, 404),
        (LOGIN,) + (404,) * 5,
    ),
    "gestion/equipe/": ("/gestion/equipe/", ADMIN, ADMIN),
    # GET: the confirmation naming the person; POST: removed, back to the team.
    "gestion/equipe/<int:pk>/retirer/": (
        "/gestion/equipe/{staff_user}/retirer/",
        ADMIN,
        (LOGIN, 404, 404, 404, 404, 302),
    ),
    # Only the invited account holds it; the world's token is nobody's (tests/tenants/test_team.py).
    "gestion/equipe/invitations/<str:token>/": (
        "/gestion/equipe/invitations/absent/",
        (LOGIN, 404, 404, 404, 404, 404),
        (LOGIN, 404, 404, 404, 404, 404),
    ),
    "mon-espace/": ("/mon-espace/", LOGGED_IN, LOGGED_IN),
    "organisations/nouvelle/": ("/organisations/nouvelle/", LOGGED_IN, LOGGED_IN),
    "organisations/rejoindre/": ("/organisations/rejoindre/?q=Voisine", LOGGED_IN, LOGGED_IN),
    # The commune list of a postal code, swapped into the organisation form by htmx.
    "organisations/communes/": ("/organisations/communes/?postal_code=86000", LOGGED_IN, WRONG_METHOD),
    # Empty POSTs below lack their confirmation: the form is shown again, nothing is deleted.
    "mon-compte/": ("/mon-compte/", LOGGED_IN, LOGGED_IN),
    "mon-compte/mes-donnees.json": ("/mon-compte/mes-donnees.json", LOGGED_IN, LOGGED_IN),
    "mon-compte/supprimer/": ("/mon-compte/supprimer/", LOGGED_IN, LOGGED_IN),
    "organisations/<int:pk>/": ("/organisations/{org}/", MEMBERS, MEMBERS),
    "organisations/<int:pk>/supprimer/": ("/organisations/{org}/supprimer/", OWNER, OWNER),
    "gestion/organisations/<int:pk>/": ("/gestion/organisations/{org}/", STAFF, STAFF),
    "gestion/organisations/<int:pk>/supprimer/": ("/gestion/organisations/{org}/supprimer/", STAFF, STAFF),
    # The organisation does not await acceptance (its commune is a name only): back to its page.
    "gestion/organisations/<int:pk>/accepter/": ("/gestion/organisations/{org}/accepter/", STAFF_ACTION, STAFF_ACTION),
    "organisations/<int:pk>/modifier/": ("/organisations/{org}/modifier/", OWNER, OWNER),
    # Anyone logged in may ask to join an organisation found by search (owners then decide).
    "organisations/rejoindre/<uuid:public_id>/": ("/organisations/rejoindre/{org_public_id}/", LOGGED_IN, LOGGED_IN),
    # Only its author withdraws a join request (the outsider asked to join the owner's organisation).
    "organisations/demandes/<int:request_pk>/retirer/": (
        "/organisations/demandes/{join_request}/retirer/",
        WRONG_METHOD,
        (LOGIN, 404, 404, 302, 404, 404),
    ),
    "organisations/<int:pk>/inviter/": ("/organisations/{org}/inviter/", WRONG_METHOD, OWNER_ACTION),
    "organisations/<int:pk>/invitations/<int:invitation_pk>/annuler/": (
        "/organisations/{org}/invitations/{invitation}/annuler/",
        WRONG_METHOD,
        OWNER_ACTION,
    ),
    "organisations/<int:pk>/invitations/<int:invitation_pk>/renvoyer/": (
        "/organisations/{org}/invitations/{invitation}/renvoyer/",
        WRONG_METHOD,
        OWNER_ACTION,
    ),
    "organisations/<int:pk>/demandes/<int:request_pk>/": (
        "/organisations/{org}/demandes/{join_request}/",
        WRONG_METHOD,
        OWNER_ACTION,
    ),
    # An empty POST names no action: the owner gets a 404 too.
    "organisations/<int:pk>/membres/<int:membership_pk>/": (
        "/organisations/{org}/membres/{membership}/",
        WRONG_METHOD,
        (LOGIN, 404, 404, 404, 404, 404),
    ),
    "organisations/<int:pk>/quitter/": ("/organisations/{org}/quitter/", WRONG_METHOD, MEMBER_ACTION),
    # The emailed token is the credential: whoever holds it sees the invitation; accepting it
    # with another address is refused by the service (a message and a redirect).
    # The landing says what the invitation is for to anyone holding the link, before they sign in.
    "invitations/<str:token>/": (
        "/invitations/{invitation_token}/",
        EVERYONE,
        (LOGIN, 302, 302, 302, 302, 302),
    ),
    "gestion/organisations/": ("/gestion/organisations/", STAFF, STAFF),
    # GET asks whether to start from the previous answers; with one in progress (as here) it resumes it.
    "organisations/<int:org_pk>/auto-evaluation/commencer/": (
        "/organisations/{org}/auto-evaluation/commencer/",
        MEMBER_ACTION,
        MEMBER_ACTION,
    ),
    "auto-evaluations/<int:pk>/": ("/auto-evaluations/{assessment}/", MEMBER_ACTION, WRONG_METHOD),
    "auto-evaluations/<int:pk>/themes/<str:code>/": (
        "/auto-evaluations/{assessment}/themes/{theme_code}/",
        MEMBERS,
        MEMBER_ACTION,
    ),
    "auto-evaluations/<int:pk>/questions/<int:question_pk>/": (
        "/auto-evaluations/{assessment}/questions/{question}/",
        WRONG_METHOD,
        MEMBER_ACTION,
    ),
    "auto-evaluations/<int:pk>/relecture/": ("/auto-evaluations/{assessment}/relecture/", MEMBERS, WRONG_METHOD),
    "auto-evaluations/<int:pk>/valider/": ("/auto-evaluations/{assessment}/valider/", WRONG_METHOD, MEMBER_ACTION),
    "auto-evaluations/<int:pk>/resultats/": ("/auto-evaluations/{submitted}/resultats/", MEMBERS, WRONG_METHOD),
    "organisations/<int:org_pk>/auto-evaluations/": ("/organisations/{org}/auto-evaluations/", MEMBERS, WRONG_METHOD),
    "gestion/auto-evaluations/": ("/gestion/auto-evaluations/", STAFF, STAFF_WRONG_METHOD),
    "gestion/auto-evaluations/<int:pk>/": ("/gestion/auto-evaluations/{submitted}/", STAFF, STAFF_WRONG_METHOD),
    "gestion/referentiel/": ("/gestion/referentiel/", STAFF, STAFF),
    "gestion/referentiel/brouillon/creer/": (
        "/gestion/referentiel/brouillon/creer/",
        STAFF_WRONG_METHOD,
        STAFF_ACTION,
    ),
    "gestion/referentiel/brouillon/": ("/gestion/referentiel/brouillon/", STAFF, STAFF),
    "gestion/referentiel/brouillon/comparer/": ("/gestion/referentiel/brouillon/comparer/", STAFF, STAFF),
    "gestion/referentiel/brouillon/informations/": ("/gestion/referentiel/brouillon/informations/", STAFF, STAFF),
    # Confirmation pages on GET, the action on POST.
    "gestion/referentiel/brouillon/supprimer/": ("/gestion/referentiel/brouillon/supprimer/", STAFF, STAFF_ACTION),
    "gestion/referentiel/brouillon/publier/": ("/gestion/referentiel/brouillon/publier/", STAFF, STAFF_ACTION),
    "gestion/referentiel/niveaux/<int:pk>/": ("/gestion/referentiel/niveaux/{level}/", STAFF, STAFF),
    "gestion/referentiel/themes/ajouter/": ("/gestion/referentiel/themes/ajouter/", STAFF, STAFF),
    "gestion/referentiel/themes/<int:pk>/": ("/gestion/referentiel/themes/{draft_theme}/", STAFF, STAFF),
    "gestion/referentiel/themes/<int:pk>/supprimer/": (
        "/gestion/referentiel/themes/{draft_theme}/supprimer/",
        STAFF,
        STAFF_ACTION,
    ),
    "gestion/referentiel/themes/<int:pk>/deplacer/": (
        "/gestion/referentiel/themes/{draft_theme}/deplacer/",
        STAFF_WRONG_METHOD,
        STAFF_ACTION,
    ),
    "gestion/referentiel/themes/<int:pk>/questions/ajouter/": (
        "/gestion/referentiel/themes/{draft_theme}/questions/ajouter/",
        STAFF,
        STAFF,
    ),
    "gestion/referentiel/questions/<int:pk>/": ("/gestion/referentiel/questions/{draft_question}/", STAFF, STAFF),
    "gestion/referentiel/questions/<int:pk>/supprimer/": (
        "/gestion/referentiel/questions/{draft_question}/supprimer/",
        STAFF,
        STAFF_ACTION,
    ),
    "gestion/referentiel/questions/<int:pk>/deplacer/": (
        "/gestion/referentiel/questions/{draft_question}/deplacer/",
        STAFF_WRONG_METHOD,
        STAFF_ACTION,
    ),
    "gestion/referentiel/questions/<int:pk>/choix/ajouter/": (
        "/gestion/referentiel/questions/{draft_question}/choix/ajouter/",
        STAFF_WRONG_METHOD,
        STAFF_ACTION,
    ),
    "gestion/referentiel/questions/<int:pk>/tranches/ajouter/": (
        "/gestion/referentiel/questions/{draft_question}/tranches/ajouter/",
        STAFF_WRONG_METHOD,
        STAFF_ACTION,
    ),
    "gestion/referentiel/choix/<int:pk>/": ("/gestion/referentiel/choix/{draft_choice}/", STAFF, STAFF),
    "gestion/referentiel/choix/<int:pk>/supprimer/": (
        "/gestion/referentiel/choix/{draft_choice}/supprimer/",
        STAFF_WRONG_METHOD,
        STAFF_ACTION,
    ),
    "gestion/referentiel/choix/<int:pk>/deplacer/": (
        "/gestion/referentiel/choix/{draft_choice}/deplacer/",
        STAFF_WRONG_METHOD,
        STAFF_ACTION,
    ),
    "gestion/referentiel/tranches/<int:pk>/supprimer/": (
        "/gestion/referentiel/tranches/{draft_band}/supprimer/",
        STAFF_WRONG_METHOD,
        STAFF_ACTION,
    ),
    "gestion/referentiel/versions/<int:pk>/apercu/": (
        "/gestion/referentiel/versions/{published}/apercu/",
        STAFF,
        STAFF,
    ),
    # The action plan (toolbox/urls_plan.py): the organisation's members only. The action is
    # already in the plan: the POST says so and comes back.
    "organisations/<int:org_pk>/plan/ajouter/<int:action_pk>/": (
        "/organisations/{org}/plan/ajouter/{action}/",
        WRONG_METHOD,
        MEMBER_ACTION,
    ),
    "organisations/<int:org_pk>/plan/": ("/organisations/{org}/plan/", MEMBERS, WRONG_METHOD),
    # Empty POSTs below are incomplete forms: shown again with their errors, nothing written.
    "organisations/<int:org_pk>/plan/nouvelle/": ("/organisations/{org}/plan/nouvelle/", MEMBERS, MEMBERS),
    "organisations/<int:org_pk>/plan/export.csv": ("/organisations/{org}/plan/export.csv", MEMBERS, WRONG_METHOD),
    "organisations/<int:org_pk>/plan/export.xlsx": ("/organisations/{org}/plan/export.xlsx", MEMBERS, WRONG_METHOD),
    "organisations/<int:org_pk>/plan/<int:pk>/": ("/organisations/{org}/plan/{plan_item}/", MEMBERS, MEMBERS),
    "organisations/<int:org_pk>/plan/<int:pk>/supprimer/": (
        "/organisations/{org}/plan/{plan_item}/supprimer/",
        MEMBERS,
        MEMBERS,
    ),
    "organisations/<int:org_pk>/plan/<int:pk>/etapes/": (
        "/organisations/{org}/plan/{plan_item}/etapes/",
        WRONG_METHOD,
        MEMBERS,
    ),
    # Without `done=1` the step is unticked; back to the item.
    "organisations/<int:org_pk>/plan/<int:pk>/etapes/<int:step_pk>/": (
        "/organisations/{org}/plan/{plan_item}/etapes/{plan_step}/",
        WRONG_METHOD,
        MEMBER_ACTION,
    ),
    "organisations/<int:org_pk>/plan/<int:pk>/notes/": (
        "/organisations/{org}/plan/{plan_item}/notes/",
        WRONG_METHOD,
        MEMBERS,
    ),
    # The toolbox editor (staff). Empty POSTs of the forms show them again with their errors; the
    # links page's empty POST is a valid « nothing attached »; deleting asks first (GET), the POST
    # is refused or done, then back to a list.
    "gestion/boite-a-outils/": ("/gestion/boite-a-outils/", STAFF, STAFF_WRONG_METHOD),
    "gestion/boite-a-outils/actions/ajouter/": ("/gestion/boite-a-outils/actions/ajouter/", STAFF, STAFF),
    "gestion/boite-a-outils/actions/<int:pk>/": ("/gestion/boite-a-outils/actions/{action}/", STAFF, STAFF),
    "gestion/boite-a-outils/actions/<int:pk>/etapes/": (
        "/gestion/boite-a-outils/actions/{action}/etapes/",
        STAFF,
        STAFF,
    ),
    "gestion/boite-a-outils/actions/<int:pk>/questions/": (
        "/gestion/boite-a-outils/actions/{action}/questions/",
        STAFF,
        STAFF,
    ),
    "gestion/boite-a-outils/actions/<int:pk>/liens/": (
        "/gestion/boite-a-outils/actions/{action}/liens/",
        STAFF,
        STAFF_ACTION,
    ),
    "gestion/boite-a-outils/actions/<int:pk>/version-nationale/": (
        "/gestion/boite-a-outils/actions/{action}/version-nationale/",
        STAFF_WRONG_METHOD,
        STAFF_ACTION,
    ),
    "gestion/boite-a-outils/actions/<int:pk>/visibilite/": (
        "/gestion/boite-a-outils/actions/{action}/visibilite/",
        STAFF_WRONG_METHOD,
        STAFF_ACTION,
    ),
    "gestion/boite-a-outils/actions/<int:pk>/deplacer/": (
        "/gestion/boite-a-outils/actions/{action}/deplacer/",
        STAFF_WRONG_METHOD,
        STAFF_ACTION,
    ),
    "gestion/boite-a-outils/partenaires/": ("/gestion/boite-a-outils/partenaires/", STAFF, STAFF_WRONG_METHOD),
    "gestion/boite-a-outils/partenaires/ajouter/": ("/gestion/boite-a-outils/partenaires/ajouter/", STAFF, STAFF),
    "gestion/boite-a-outils/partenaires/<int:pk>/": (
        "/gestion/boite-a-outils/partenaires/{partner}/",
        STAFF,
        STAFF,
    ),
    "gestion/boite-a-outils/partenaires/<int:pk>/supprimer/": (
        "/gestion/boite-a-outils/partenaires/{partner}/supprimer/",
        STAFF,
        STAFF_ACTION,
    ),
    "gestion/boite-a-outils/dispositifs/": ("/gestion/boite-a-outils/dispositifs/", STAFF, STAFF_WRONG_METHOD),
    "gestion/boite-a-outils/dispositifs/ajouter/": ("/gestion/boite-a-outils/dispositifs/ajouter/", STAFF, STAFF),
    "gestion/boite-a-outils/dispositifs/<int:pk>/": (
        "/gestion/boite-a-outils/dispositifs/{scheme}/",
        STAFF,
        STAFF,
    ),
    "gestion/boite-a-outils/dispositifs/<int:pk>/supprimer/": (
        "/gestion/boite-a-outils/dispositifs/{scheme}/supprimer/",
        STAFF,
        STAFF_ACTION,
    ),
    # Workshop formats (events/urls_formats.py), staff only. A national format is copied, never edited:
    # its edit pages are a 404 (tests/events/test_formats_pages.py); the rows use the local copy. Empty
    # POSTs of the forms show them again with their errors; copy and visibility are done, then back.
    "gestion/deroules/": ("/gestion/deroules/", STAFF, STAFF_WRONG_METHOD),
    "gestion/deroules/<int:pk>/": ("/gestion/deroules/{national_format}/", STAFF, STAFF_WRONG_METHOD),
    "gestion/deroules/<int:pk>/copier/": (
        "/gestion/deroules/{national_format}/copier/",
        STAFF_WRONG_METHOD,
        STAFF_ACTION,
    ),
    "gestion/deroules/<int:pk>/modifier/": ("/gestion/deroules/{local_format}/modifier/", STAFF, STAFF),
    "gestion/deroules/<int:pk>/etapes/": ("/gestion/deroules/{local_format}/etapes/", STAFF, STAFF),
    "gestion/deroules/<int:pk>/visibilite/": (
        "/gestion/deroules/{local_format}/visibilite/",
        STAFF_WRONG_METHOD,
        STAFF_ACTION,
    ),
    "gestion/evenements/<int:pk>/deroule/": (
        "/gestion/evenements/{format_event}/deroule/",
        STAFF,
        STAFF_WRONG_METHOD,
    ),
    # The PCAET (toolbox/urls_pcaet.py). An empty import POST is a form with errors; with no import
    # pending, the confirmation sends back to the upload; an empty links POST unlinks (rolled back).
    "gestion/pcaet/": ("/gestion/pcaet/", STAFF, STAFF),
    "gestion/pcaet/importer/": ("/gestion/pcaet/importer/", STAFF, STAFF),
    "gestion/pcaet/importer/confirmer/": ("/gestion/pcaet/importer/confirmer/", STAFF_ACTION, STAFF_ACTION),
    "gestion/pcaet/actions/<int:pk>/": ("/gestion/pcaet/actions/{pcaet_action}/", STAFF, STAFF_ACTION),
    "gestion/pcaet/contribution/": ("/gestion/pcaet/contribution/", STAFF, STAFF),
    "gestion/pcaet/contribution.csv": ("/gestion/pcaet/contribution.csv", STAFF, STAFF),
    "gestion/pcaet/contribution.xlsx": ("/gestion/pcaet/contribution.xlsx", STAFF, STAFF),
    # The staff's event pages (events/urls_staff.py). Empty POSTs of the forms show them again with their
    # errors (nothing written); publishing, marking attendance (without a person: refused) and inviting
    # (nobody ticked: refused) come back to a page.
    "gestion/evenements/": ("/gestion/evenements/", STAFF, STAFF_WRONG_METHOD),
    "gestion/evenements/nouveau/": ("/gestion/evenements/nouveau/", STAFF, STAFF),
    "gestion/evenements/<int:pk>/": ("/gestion/evenements/{staff_event}/", STAFF, STAFF_WRONG_METHOD),
    "gestion/evenements/<int:pk>/modifier/": ("/gestion/evenements/{staff_event}/modifier/", STAFF, STAFF),
    "gestion/evenements/<int:pk>/publier/": (
        "/gestion/evenements/{staff_event}/publier/",
        STAFF_WRONG_METHOD,
        STAFF_ACTION,
    ),
    "gestion/evenements/<int:pk>/annuler/": ("/gestion/evenements/{staff_event}/annuler/", STAFF, STAFF),
    "gestion/evenements/<int:pk>/presences/": (
        "/gestion/evenements/{staff_event}/presences/",
        STAFF,
        STAFF_ACTION,
    ),
    "gestion/evenements/<int:pk>/inscrits.csv": (
        "/gestion/evenements/{staff_event}/inscrits.csv",
        STAFF,
        STAFF_WRONG_METHOD,
    ),
    "gestion/evenements/<int:pk>/inscrits.xlsx": (
        "/gestion/evenements/{staff_event}/inscrits.xlsx",
        STAFF,
        STAFF_WRONG_METHOD,
    ),
    "gestion/evenements/<int:pk>/avis/": ("/gestion/evenements/{staff_event}/avis/", STAFF, STAFF_WRONG_METHOD),
    "gestion/evenements/<int:pk>/invitations/": (
        "/gestion/evenements/{staff_event}/invitations/",
        STAFF,
        STAFF_ACTION,
    ),
    # The invitation emails' unsubscribe link: anyone holding it, no login (the POST records the refusal).
    "evenements/invitations/ne-plus-recevoir/<str:token>/": (
        "/evenements/invitations/ne-plus-recevoir/{opt_out_token}/",
        EVERYONE,
        EVERYONE,
    ),
    # The programme review (review/urls.py): staff only, read only; each table's CSV and XLSX.
    "gestion/bilan/": ("/gestion/bilan/?du=2026-01-01", STAFF, STAFF_WRONG_METHOD),
    "gestion/bilan/<slug:slug>.<str:file_format>": ("/gestion/bilan/maturite-type.xlsx", STAFF, STAFF_WRONG_METHOD),
    # The whole review as a PDF (reports/, tests/reports/test_review_pdf.py): staff ask with a POST
    # (no period: the whole programme), then follow the job's page.
    "gestion/bilan/pdf/": ("/gestion/bilan/pdf/", STAFF_WRONG_METHOD, STAFF_ACTION),
    # Browsing the toolbox (toolbox/urls_browse.py): the territory's public offer, open to everyone,
    # signed in or not; read only (a POST is a 405). A hidden action is a 404 (tests/toolbox/test_browse.py).
    "boite-a-outils/": ("/boite-a-outils/?q=combles&theme=ENE", EVERYONE, (405,) * 6),
    "boite-a-outils/<str:code>/": ("/boite-a-outils/{action_code}/", EVERYONE, (405,) * 6),
    # The agenda and the event pages (events/urls.py): the territory's public offer, read only; a draft is
    # a 404 (tests/events/test_agenda.py). Registering and what follows need an account.
    "evenements/": ("/evenements/?theme=ENE&kind=workshop", EVERYONE, (405,) * 6),
    "evenements/agenda.ics": ("/evenements/agenda.ics", EVERYONE, (405,) * 6),
    "evenements/<int:pk>/": ("/evenements/{event}/", EVERYONE, (405,) * 6),
    "evenements/<int:pk>/agenda.ics": ("/evenements/{event}/agenda.ics", EVERYONE, (405,) * 6),
    # An empty POST names no organisation of the user: 404, nothing written.
    "evenements/<int:pk>/inscription/": ("/evenements/{event}/inscription/", WRONG_METHOD, (LOGIN,) + (404,) * 5),
    # The owner's registration: the owner and their colleague act on it, nobody else sees it.
    "evenements/<int:pk>/inscriptions/<int:registration_pk>/annuler/": (
        "/evenements/{event}/inscriptions/{event_registration}/annuler/",
        WRONG_METHOD,
        MEMBER_ACTION,
    ),
    # Empty POST: no colleague chosen, a message and back to the event.
    "evenements/<int:pk>/inscriptions/<int:registration_pk>/ceder/": (
        "/evenements/{event}/inscriptions/{event_registration}/ceder/",
        WRONG_METHOD,
        MEMBER_ACTION,
    ),
    # The owner attended: their empty form comes back with its errors (400); anyone else is told
    # that only attendees give their opinion (302).
    "evenements/<int:pk>/avis/": ("/evenements/{past_event}/avis/", WRONG_METHOD, (LOGIN, 400, 302, 302, 302, 302)),
    # An empty POST names no organisation of the user: 404 (tests/events/test_feedback.py adds them).
    "evenements/<int:pk>/plan/": ("/evenements/{past_event}/plan/", WRONG_METHOD, (LOGIN,) + (404,) * 5),
    # PDF reports (reports/urls.py): members ask for one from the results; members and staff follow and
    # download it (tests/reports/test_views.py). The POST starts a render: back to the results.
    "auto-evaluations/<int:pk>/rapport/": ("/auto-evaluations/{submitted}/rapport/", WRONG_METHOD, MEMBER_ACTION),
    "rapports/<int:pk>/": ("/rapports/{report_job}/", REPORT_READERS, WRONG_METHOD),
    "rapports/<int:pk>/rapport.pdf": ("/rapports/{report_job}/rapport.pdf", REPORT_READERS, WRONG_METHOD),
}

# Routes above that serve other objects with other rights: the same route, another row.
TERRITORY_OBJECTS = {
    # A programme review's job (kind « review », no assessment): the territory's staff and admins only,
    # as every staff page; the members of any organisation get a 404.
    "review job state": ("/rapports/{review_job}/", STAFF, WRONG_METHOD),
    "review job download": ("/rapports/{review_job}/rapport.pdf", STAFF, WRONG_METHOD),
}

# The national site's columns: anonymous, a public-schema account without rights, a national admin.
P_EVERYONE = (200, 200, 200)
P_NATIONAL = (LOGIN, 404, 200)
P_ADMIN = (LOGIN, LOGIN, 200)  # Django's admin sends a user without is_staff to its own login
P_ADMIN_REDIRECT = (LOGIN, LOGIN, 302)  # admin/<model>/<id>/ → its change page
P_ADMIN_WRONG_METHOD = (LOGIN, LOGIN, 405)
# Deleting a public-schema user is refused (accounts/admin.py says why): 403, never a 500.
P_ADMIN_NO_DELETE = (LOGIN, LOGIN, 403)


def _admin_model(app_model, object_id):
    base = f"admin/{app_model}/"
    url = f"/admin/{app_model}/"
    return {
        base: (url, P_ADMIN, P_ADMIN),
        base + "add/": (url + "add/", P_ADMIN, P_ADMIN),
        base + "<path:object_id>/history/": (url + object_id + "/history/", P_ADMIN, P_ADMIN),
        # An empty POST is not the confirmation: the page is shown again, nothing deleted.
        base + "<path:object_id>/delete/": (url + object_id + "/delete/", P_ADMIN, P_ADMIN),
        base + "<path:object_id>/change/": (url + object_id + "/change/", P_ADMIN, P_ADMIN),
        base + "<path:object_id>/": (url + object_id + "/", P_ADMIN_REDIRECT, P_ADMIN_REDIRECT),
    }


PUBLIC = {
    "": ("/", P_EVERYONE, P_EVERYONE),
    "plateforme/": ("/plateforme/", P_NATIONAL, P_NATIONAL),
    "plateforme/territoires/nouveau/": ("/plateforme/territoires/nouveau/", P_NATIONAL, P_NATIONAL),
    # The national view (benchmarks/urls.py): read only.
    "plateforme/bilan/": ("/plateforme/bilan/", P_NATIONAL, (LOGIN, 404, 405)),
    # GET: the confirmation naming the territory; a POST without a valid status: 404, nothing changed.
    "plateforme/territoires/<int:pk>/statut/": (
        "/plateforme/territoires/{territory_a}/statut/?status=suspended",
        P_NATIONAL,
        (LOGIN, 404, 404),
    ),
    "admin/": ("/admin/", P_ADMIN, P_ADMIN),
    "admin/login/": ("/admin/login/", (200, 200, 302), P_EVERYONE),
    "admin/logout/": ("/admin/logout/", (302, 302, 405), (302, 302, 200)),
    "admin/password_change/": ("/admin/password_change/", P_ADMIN, P_ADMIN),
    "admin/password_change/done/": ("/admin/password_change/done/", P_ADMIN, P_ADMIN_WRONG_METHOD),
    "admin/autocomplete/": ("/admin/autocomplete/", (LOGIN, LOGIN, 403), P_ADMIN_WRONG_METHOD),
    "admin/jsi18n/": ("/admin/jsi18n/", P_ADMIN, P_ADMIN_WRONG_METHOD),
    # Users have no page on the site to show: 404 even for the national admin.
    "admin/r/<path:content_type_id>/<path:object_id>/": (
        "/admin/r/{user_content_type}/{national_user}/",
        (LOGIN, LOGIN, 404),
        (LOGIN, LOGIN, 404),
    ),
    **_admin_model("tenants/territory", "{territory_a}"),
    **_admin_model("auth/group", "{group}"),
    "admin/accounts/user/<id>/password/": ("/admin/accounts/user/{national_user}/password/", P_ADMIN, P_ADMIN),
    **_admin_model("accounts/user", "{national_user}"),
    # Overrides the generic row above.
    "admin/accounts/user/<path:object_id>/delete/": (
        "/admin/accounts/user/{national_user}/delete/",
        P_ADMIN_NO_DELETE,
        P_ADMIN_NO_DELETE,
    ),
    **_admin_model("account/emailaddress", "{national_email}"),
    **_admin_model("account/emailconfirmation", "{national_email_confirmation}"),
    **_admin_model("dsfr/dsfrconfig", "{dsfr_config}"),
    "admin/^(?P<app_label>tenants|auth|accounts|account|dsfr)/$": ("/admin/tenants/", P_ADMIN, P_ADMIN),
    "admin/(?P<url>.*)$": ("/admin/nulle-part/", (LOGIN, LOGIN, 404), (LOGIN, LOGIN, 404)),
}


def _common(anonymous_only, signed_in_elsewhere, login_required, signed_in):
    """The URLs both sites share (allauth, legal pages), in a site's columns."""
    wrong_method = (405,) * len(anonymous_only)
    pages = ("/accessibilite/", "/mentions-legales/", "/donnees-personnelles/")
    return {
        "comptes/login/": ("/comptes/login/", signed_in_elsewhere, signed_in_elsewhere),
        "comptes/signup/": ("/comptes/signup/", signed_in_elsewhere, signed_in_elsewhere),
        # Logging out asks first (GET), then does it (POST); an anonymous visitor is sent home.
        "comptes/logout/": ("/comptes/logout/", signed_in, (302,) * len(signed_in)),
        "comptes/inactive/": ("/comptes/inactive/", anonymous_only, wrong_method),
        "comptes/reauthenticate/": ("/comptes/reauthenticate/", login_required, login_required),
        "comptes/reauthenticate/code/": ("/comptes/reauthenticate/code/", login_required, login_required),
        # No code was sent: back to the page that sends one.
        "comptes/reauthenticate/code/confirm/": (
            "/comptes/reauthenticate/code/confirm/",
            _replace(login_required, 200, 302),
            _replace(login_required, 200, 302),
        ),
        "comptes/email/": ("/comptes/email/", login_required, _replace(login_required, 200, 302)),
        "comptes/confirm-email/": ("/comptes/confirm-email/", anonymous_only, wrong_method),
        "comptes/password/change/": ("/comptes/password/change/", login_required, login_required),
        # Every account here has a password: setting one sends to the change page.
        "comptes/password/set/": (
            "/comptes/password/set/",
            _replace(login_required, 200, 302),
            _replace(login_required, 200, 302),
        ),
        "comptes/password/reset/": ("/comptes/password/reset/", anonymous_only, anonymous_only),
        # No login by code in progress: sent back (anonymous visitors to the login page).
        "comptes/login/code/confirm/": (
            "/comptes/login/code/confirm/",
            _replace(login_required, 200, 302),
            _replace(login_required, 200, 302),
        ),
        # An unknown key: the page says the link is invalid; POST confirms nothing.
        r"comptes/^confirm-email/(?P<key>[-:\w]+)/$": (
            "/comptes/confirm-email/cle-inconnue/",
            anonymous_only,
            _replace(anonymous_only, 200, 404),
        ),
        "comptes/password/reset/key/done/": ("/comptes/password/reset/key/done/", anonymous_only, wrong_method),
        "comptes/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": (
            "/comptes/password/reset/key/1-cle-inconnue/",
            anonymous_only,
            anonymous_only,
        ),
        "comptes/password/reset/done/": ("/comptes/password/reset/done/", anonymous_only, wrong_method),
        **{page.strip("/") + "/": (page, anonymous_only, wrong_method) for page in pages},
    }


def _replace(cells, old, new):
    return tuple(new if cell == old else cell for cell in cells)


TERRITORY.update(
    _common(
        anonymous_only=EVERYONE,
        signed_in_elsewhere=ALLAUTH_SIGNED_IN_ELSEWHERE,
        login_required=LOGGED_IN,
        signed_in=(302, 200, 200, 200, 200, 200),
    )
)
PUBLIC.update(
    _common(
        anonymous_only=P_EVERYONE,
        signed_in_elsewhere=(200, 302, 302),
        login_required=(LOGIN, 200, 200),
        signed_in=(302, 200, 200),
    )
)
# /healthz is no URL pattern: assett.health's middleware answers it before the urlconf, for anyone
# the same (its details need a token: tests/test_healthz.py).

SITES = {
    "territory": ("a", "assett.urls_tenants", TERRITORY, roles.TERRITORY_ROLES, roles.FOREIGN_ON_TERRITORY),
    "public": ("public", "assett.urls_public", PUBLIC, roles.PUBLIC_ROLES, roles.FOREIGN_ON_PUBLIC),
}


def url_patterns(urlconf):
    """Every route of a urlconf, includes flattened, as the table spells them."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return set(walk(get_resolver(urlconf).url_patterns, ""))


@pytest.fixture(scope="module")
def world(territories, django_db_blocker):
    yield from roles.world_fixture(territories, django_db_blocker)


def _answer(world, role, host, method, url):
    client = world.client(role, host)
    # The table records statuses, a 500 included, rather than stopping at the first exception.
    client.raise_request_exception = False
    # Each request in its own savepoint: a POST that removes a member or deletes a theme does not
    # change what the next role sees.
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url)
        transaction.set_rollback(True)
    connection.set_schema_to_public()
    if response.status_code == 302 and response["Location"].split("?")[0] in ("/comptes/login/", "/admin/login/"):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("site", SITES)
def test_every_url_pattern_has_a_row(site):
    _host, urlconf, table, _roles, _foreign = SITES[site]
    routes = url_patterns(urlconf)
    missing = sorted(routes - table.keys())
    stale = sorted(table.keys() - routes)
    assert not missing, f"Add these {site} URL patterns to tests/test_permissions.py: {missing}"
    assert not stale, f"These rows of tests/test_permissions.py match no {site} URL pattern any more: {stale}"


def _check_site(world, site, route, table=None):
    host, _urlconf, site_table, columns, foreign = SITES[site]
    url, *expected = (table or site_table)[route]
    url = url.format(**world.ids)
    got, want = {}, {}
    for method, cells in zip(("GET", "POST"), expected, strict=True):
        anonymous = cells[0]
        for role, cell in [*zip(columns, cells, strict=True), *((role, anonymous) for role in foreign)]:
            want[method, role] = cell
            got[method, role] = _answer(world, role, roles.HOSTS[host], method, url)
    wrong = {key: f"{got[key]} (table: {want[key]})" for key in want if got[key] != want[key]}
    assert not wrong, f"{site} {url}: {wrong}"


@pytest.mark.parametrize("route", TERRITORY)
def test_territory_site_answers_each_role_as_the_table_says(world, db, route):
    _check_site(world, "territory", route)


@pytest.mark.parametrize("row", TERRITORY_OBJECTS)
def test_territory_site_answers_each_role_for_other_objects_of_a_route(world, db, row):
    _check_site(world, "territory", row, TERRITORY_OBJECTS)


@pytest.mark.parametrize("route", PUBLIC)
def test_national_site_answers_each_role_as_the_table_says(world, db, route):
    _check_site(world, "public", route)


@pytest.mark.parametrize("host", ["a", "public"])
def test_healthz_answers_anyone_with_the_services_state(world, db, host):
    assert _answer(world, "anonymous", roles.HOSTS[host], "GET", "/healthz") == 200


def test_a_session_of_territory_b_is_anonymous_on_territory_a(world, db):
    """The cookie that is valid on B opens a session on B, and nothing on A."""
    b, a = roles.HOSTS["b"], roles.HOSTS["a"]
    assert _answer(world, "other_territory", b, "GET", "/mon-espace/") == 200
    assert _answer(world, "other_territory", a, "GET", "/mon-espace/") == LOGIN
