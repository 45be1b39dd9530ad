"""The demo territory's own offer: a local partner and an « accompagnement gratuit » on the energy and waste
actions, said to be made up, found by the list's filter, kept local by a national re-import, seeded once."""

from toolbox.demo_local import DEMO_NOTICE, PARTNER_CODE, SCHEME_CODE, seed_demo_local_offer
from toolbox.enums import Origin, SchemeKind
from toolbox.loader import install_national_toolbox
from toolbox.models import Action, Partner, Scheme

LIST_URL = "/boite-a-outils/"


def test_the_demo_s_free_support_shows_in_the_list_and_on_the_action_page(in_a, client_a):
    assert "Aucune action" in client_a.get(LIST_URL, {"free_support": "on"}).content.decode()  # none national

    seed_demo_local_offer(in_a, [])

    scheme, partner = Scheme.objects.get(code=SCHEME_CODE), Partner.objects.get(code=PARTNER_CODE)
    assert (scheme.kind, scheme.origin, partner.origin) == (SchemeKind.FREE_SUPPORT, Origin.LOCAL, Origin.LOCAL)
    assert DEMO_NOTICE in scheme.conditions and DEMO_NOTICE in partner.role
    linked = set(scheme.actions.values_list("code", flat=True))
    assert linked and linked == set(Action.objects.filter(main_theme__in=["ENE", "DEC"]).values_list("code", flat=True))
    listed = client_a.get(LIST_URL, {"free_support": "on"}).content.decode()
    assert f"{len(linked)} actions" in listed
    page = client_a.get(f"{LIST_URL}{sorted(linked)[0]}/").content.decode()
    assert "Premier rendez-vous conseil offert" in page and "Conseil climat" in page


def test_seeding_again_or_reimporting_the_national_toolbox_keeps_one_offer_and_its_links(in_a):
    seed_demo_local_offer(in_a, [])
    links = Scheme.objects.get(code=SCHEME_CODE).actions.count()

    seed_demo_local_offer(in_a, [])
    install_national_toolbox()

    assert Scheme.objects.filter(code=SCHEME_CODE).count() == 1
    assert Scheme.objects.get(code=SCHEME_CODE).actions.count() == links
    assert Partner.objects.get(code=PARTNER_CODE).actions.count() == links
