"""Every kind of page, for each role that sees it, is valid HTML (the W3C Nu checker) and has no
axe-core violation (in Chromium).

The pages are those of tests/roles.py's territory, fetched through Django's test client with the
role's session. The Nu checker reads the markup the server sends, all pages in one `java -jar
vnu.jar` run (a JVM start costs seconds). axe-core needs the page as a browser builds it, styles
and scripts included: Chromium loads each page from an origin whose every request Playwright
answers with the test client, so the browser sees the uncommitted objects of this module.

Both tools come from npm (package.json, `npm ci`; .ci/run installs them); without them, or without
java or Chromium, the tests are skipped with a message saying what to install.
"""

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection

from . import roles

BASE_DIR = Path(__file__).resolve().parent.parent
VNU_JAR = BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"

# (role, site, URL): the main page of each kind, for each role that has it.
PAGES = [
    ("anonymous", "a", "/"),
    ("anonymous", "a", "/comptes/login/"),
    ("anonymous", "a", "/comptes/signup/"),
    ("anonymous", "a", "/comptes/password/reset/"),
    ("anonymous", "a", "/accessibilite/"),
    ("anonymous", "a", "/mentions-legales/"),
    ("anonymous", "a", "/donnees-personnelles/"),
    ("anonymous", "a", "/boite-a-outils/"),
    ("anonymous", "a", "/boite-a-outils/?q=combles&cost=medium"),
    ("anonymous", "a", "/boite-a-outils/{action_code}/"),
    ("owner", "a", "/boite-a-outils/"),
    ("owner", "a", "/boite-a-outils/{action_code}/"),
    # Events (events/urls.py): the agenda and an event's page, before and after it.
    ("anonymous", "a", "/evenements/"),
    ("anonymous", "a", "/evenements/{event}/"),
    ("owner", "a", "/evenements/"),
    ("owner", "a", "/evenements/?period=passes"),
    ("owner", "a", "/evenements/{event}/"),
    ("member", "a", "/evenements/{event}/"),
    ("owner", "a", "/evenements/{past_event}/"),
    ("owner", "a", "/"),
    ("owner", "a", "/mon-espace/"),
    ("owner", "a", "/mon-compte/"),
    ("owner", "a", "/comptes/email/"),
    ("owner", "a", "/comptes/password/change/"),
    ("owner", "a", "/organisations/nouvelle/"),
    ("owner", "a", "/organisations/rejoindre/?q=Voisine"),
    ("owner", "a", "/organisations/{org}/"),
    ("owner", "a", "/organisations/{org}/modifier/"),
    ("owner", "a", "/auto-evaluations/{assessment}/themes/{theme_code}/"),
    ("owner", "a", "/auto-evaluations/{assessment}/relecture/"),
    ("owner", "a", "/auto-evaluations/{submitted}/resultats/"),
    ("owner", "a", "/organisations/{org}/auto-evaluations/"),
    # The PDF report's state, as a page (reports/views.py; its results page section is on the results above).
    ("owner", "a", "/rapports/{report_job}/"),
    ("outsider", "a", "/organisations/{other_org}/auto-evaluation/commencer/"),
    ("member", "a", "/organisations/{org}/"),
    ("outsider", "a", "/organisations/rejoindre/{org_public_id}/"),
    ("outsider", "a", "/invitations/{invitation_token}/"),
    # The action plan (toolbox/urls_plan.py).
    ("owner", "a", "/organisations/{org}/plan/"),
    ("owner", "a", "/organisations/{org}/plan/nouvelle/"),
    ("member", "a", "/organisations/{org}/plan/{plan_item}/"),
    ("owner", "a", "/organisations/{org}/plan/{plan_item}/supprimer/"),
    ("staff", "a", "/mon-espace/"),
    ("staff", "a", "/mon-compte/"),
    ("staff", "a", "/gestion/organisations/"),
    ("staff", "a", "/gestion/organisations/?tri=statut"),
    ("staff", "a", "/gestion/organisations/{org}/"),
    ("staff", "a", "/gestion/organisations/?to_accept=on"),
    ("staff", "a", "/gestion/organisations/{outside_org}/"),
    ("staff", "a", "/gestion/organisations/{outside_org}/accepter/"),
    ("staff", "a", "/gestion/auto-evaluations/"),
    ("staff", "a", "/gestion/auto-evaluations/{submitted}/"),
    ("staff", "a", "/gestion/referentiel/"),
    ("staff", "a", "/gestion/referentiel/brouillon/"),
    ("staff", "a", "/gestion/referentiel/brouillon/comparer/"),
    ("staff", "a", "/gestion/referentiel/versions/{published}/apercu/?kind=association&points=on"),
    ("staff", "a", "/gestion/referentiel/themes/{draft_theme}/"),
    ("staff", "a", "/gestion/referentiel/questions/{draft_question}/"),
    ("staff", "a", "/gestion/referentiel/versions/{published}/apercu/"),
    # The toolbox editor.
    ("staff", "a", "/gestion/boite-a-outils/"),
    ("staff", "a", "/gestion/boite-a-outils/?theme=ENE&origin=national&adapted=oui&hidden=non"),
    ("staff", "a", "/gestion/boite-a-outils/actions/ajouter/"),
    ("staff", "a", "/gestion/boite-a-outils/actions/{national_action}/"),
    ("staff", "a", "/gestion/boite-a-outils/actions/{national_action}/etapes/"),
    ("staff", "a", "/gestion/boite-a-outils/actions/{national_action}/questions/"),
    ("staff", "a", "/gestion/boite-a-outils/actions/{national_action}/liens/"),
    ("staff", "a", "/gestion/boite-a-outils/partenaires/"),
    ("staff", "a", "/gestion/boite-a-outils/partenaires/{partner}/"),
    ("staff", "a", "/gestion/boite-a-outils/partenaires/{partner}/supprimer/"),
    ("staff", "a", "/gestion/boite-a-outils/dispositifs/"),
    ("staff", "a", "/gestion/boite-a-outils/dispositifs/ajouter/"),
    ("staff", "a", "/gestion/boite-a-outils/dispositifs/{scheme}/"),
    ("staff", "a", "/gestion/pcaet/"),
    ("staff", "a", "/gestion/pcaet/importer/"),
    ("staff", "a", "/gestion/pcaet/actions/{pcaet_action}/"),
    ("staff", "a", "/gestion/pcaet/contribution/"),
    # Workshop formats (events/urls_formats.py).
    ("staff", "a", "/gestion/deroules/"),
    ("staff", "a", "/gestion/deroules/{national_format}/"),
    ("staff", "a", "/gestion/deroules/{local_format}/"),
    ("staff", "a", "/gestion/deroules/{local_format}/modifier/"),
    ("staff", "a", "/gestion/deroules/{local_format}/etapes/"),
    ("staff", "a", "/gestion/evenements/{format_event}/deroule/"),
    # The staff's event pages (events/urls_staff.py) and the invitations' unsubscribe page.
    ("staff", "a", "/gestion/evenements/"),
    ("staff", "a", "/gestion/evenements/?vue=brouillons"),
    ("staff", "a", "/gestion/evenements/nouveau/"),
    ("staff", "a", "/gestion/evenements/{staff_event}/"),
    ("staff", "a", "/gestion/evenements/{staff_event}/modifier/"),
    ("staff", "a", "/gestion/evenements/{staff_event}/annuler/"),
    ("staff", "a", "/gestion/evenements/{staff_event}/presences/"),
    ("staff", "a", "/gestion/evenements/{staff_event}/avis/"),
    ("staff", "a", "/gestion/evenements/{staff_event}/invitations/"),
    ("anonymous", "a", "/evenements/invitations/ne-plus-recevoir/{opt_out_token}/"),
    ("staff", "a", "/gestion/bilan/"),
    ("staff", "a", "/gestion/bilan/?du=2026-05-01&au=2026-04-01"),
    ("staff", "a", "/rapports/{review_job}/"),
    ("admin", "a", "/gestion/territoire/"),
    ("admin", "a", "/gestion/equipe/"),
    ("anonymous", "public", "/"),
    ("anonymous", "public", "/comptes/login/"),
    ("anonymous", "public", "/accessibilite/"),
    ("national", "public", "/"),
    ("national", "public", "/plateforme/"),
    ("national", "public", "/plateforme/territoires/nouveau/"),
    ("national", "public", "/plateforme/bilan/"),
    ("national", "public", "/plateforme/territoires/nouveau/?epci-q=poitou"),
    ("national", "public", "/plateforme/territoires/nouveau/?siren=200069763"),
]
PAGE_IDS = [f"{role}:{site}:{url}" for role, site, url in PAGES]


def _fetch(world, role, site, url, method="GET"):
    client = world.client(role, roles.HOSTS[site])
    with world.own_connection():
        response = client.get(url) if method == "GET" else client.generic(method, url)
        connection.set_schema_to_public()
    return response


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture(scope="module")
def world(territories, django_db_blocker):
    yield from roles.world_fixture(territories, django_db_blocker)


@pytest.fixture(scope="module")
def nu_errors(world, django_db_blocker):
    """The Nu checker's errors per page, from one java run over every page's markup."""
    java = shutil.which("java")
    if not java or not VNU_JAR.is_file():
        pytest.skip("The Nu HTML checker needs java and node_modules/vnu-jar (npm ci); .ci/run installs them.")
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        with django_db_blocker.unblock():
            for index, (page_id, (role, site, url)) in enumerate(zip(PAGE_IDS, PAGES, strict=True)):
                response = _fetch(world, role, site, url.format(**world.ids))
                assert response.status_code == 200, f"{page_id}: {response.status_code}"
                path = Path(folder) / f"page-{index}.html"
                path.write_bytes(_body(response))
                files[path.name] = page_id
        paths = [str(Path(folder) / name) for name in files]
        result = subprocess.run(
            [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always", *paths],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    errors = {page_id: [] for page_id in PAGE_IDS}
    for message in json.loads(result.stdout)["messages"]:
        if message["type"] == "error" or message.get("subType") == "fatal":
            page_id = files.get(message.get("url", "").rsplit("/", 1)[-1], "?")
            where = f"line {message.get('lastLine', '?')}: {message['message']} — {message.get('extract', '')!r}"
            errors.setdefault(page_id, []).append(where)
    return errors


@pytest.mark.parametrize("page_id", PAGE_IDS)
def test_page_is_valid_html(db, nu_errors, page_id):
    assert not nu_errors[page_id], "\n".join(nu_errors[page_id])


ICONS_CSS = (BASE_DIR / "static" / "css" / "icons.css").read_text(encoding="utf-8")


@pytest.mark.parametrize(("role", "site", "url"), PAGES, ids=PAGE_IDS)
def test_page_loads_what_it_uses_and_no_more(world, db, role, site, url):
    """htmx only where the page has hx- attributes, every icon it names in the shipped subset
    (scripts/dsfr_icons.py), and a description for search engines and link previews."""
    html = _body(_fetch(world, role, site, url.format(**world.ids))).decode()
    assert ("data-hx-" in html) == ("vendor/htmx.min.js" in html)
    for icon in set(re.findall(r"fr-icon-[a-z0-9-]+-(?:line|fill)", html)):
        assert f".{icon}:" in ICONS_CSS, f"{icon}: run scripts/dsfr_icons.py"
    description = re.search(r'<meta name="description" content="([^"]+)">', html)
    assert description and len(description.group(1)) > 40


def _title(world, role, site, url):
    html = _body(_fetch(world, role, site, url)).decode()
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


@pytest.mark.parametrize(("role", "site", "url"), PAGES, ids=PAGE_IDS)
def test_page_has_a_title_of_its_own(world, db, role, site, url):
    """RGAA 8.6: the title says which page this is, then which site (« Plan d'actions – <the
    programme> – <the territory> »); the site's name alone is its home page's title."""
    if url == "/":
        return
    site_title = _title(world, "anonymous", site, "/")
    title = _title(world, role, site, url.format(**world.ids))
    assert title.endswith(f" – {site_title}") and title != site_title, title


@pytest.fixture(scope="module")
def axe_context(browser):
    if not AXE_JS.is_file():
        pytest.skip("axe-core is not installed in node_modules (npm ci); .ci/run installs it.")
    # The pages' CSP would refuse the injected axe script; nothing else differs from a visit.
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    yield context
    context.close()


def _serve(page_url, response, theme_css):
    """Playwright's route handler: the page as the test client got it, static files from the finders.

    Django is not called from here: Playwright runs this handler in another context, where Django
    would open a second database connection that does not see this module's uncommitted objects.
    """

    def handle(route):
        url = route.request.url
        path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
        if url == page_url:
            route.fulfill(status=200, content_type=response["Content-Type"], body=_body(response))
        elif path.split("?")[0] == "/theme.css" and theme_css is not None:
            route.fulfill(status=200, content_type="text/css", body=theme_css)
        elif path.startswith(settings.STATIC_URL) and (found := finders.find(path.removeprefix(settings.STATIC_URL))):
            route.fulfill(status=200, path=found)
        else:
            route.fulfill(status=404, body=b"")

    return handle


@pytest.mark.browser
@pytest.mark.parametrize(("role", "site", "url"), PAGES, ids=PAGE_IDS)
def test_page_has_no_axe_violation(world, db, axe_context, role, site, url):
    path = url.format(**world.ids)
    response = _fetch(world, role, site, path)
    assert response.status_code == 200
    theme_css = _body(_fetch(world, role, site, "/theme.css")) if site == "a" else None
    page_url = f"http://{roles.HOSTS[site]}{path}"
    page = axe_context.new_page()
    try:
        page.route("**/*", _serve(page_url, response, theme_css))
        page.goto(page_url, wait_until="load")
        page.add_script_tag(path=str(AXE_JS))
        violations = page.evaluate("async () => (await axe.run(document)).violations")
    finally:
        page.close()
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[node['target'] for node in v['nodes']][:5]}" for v in violations
    ]
    assert not found, "\n".join(found)
