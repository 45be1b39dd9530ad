"""The toolbox's French full-text search (toolbox/search.py, toolbox/migrations/0002_search.py):
stems, accents, ranking, highlighting, hostile input, and the triggers that keep the index."""

import re

import pytest
from django.db import connection

from toolbox.models import Action, ActionStep
from toolbox.search import (
    START_MARK,
    STOP_MARK,
    Filters,
    clean_query,
    find,
    has_words,
    highlight_html,
    statement,
)

from .factories import ActionFactory, ActionStepFactory

LIST_URL = "/boite-a-outils/"


@pytest.fixture(autouse=True)
def no_national_toolbox(territories, db):
    """Territories are provisioned with the national toolbox: these tests start from an empty one
    (deleted inside the test's transaction, so back after it)."""
    for territory in territories:
        connection.set_tenant(territory)
        Action.objects.all().delete()
    connection.set_schema_to_public()


def found(query):
    """Codes of the visible actions matching `query`, best first."""
    return [row["code"] for row in find(Filters(), query, limit=1000).rows]


def listed(client, query):
    """Codes of the actions the list page shows for `query`, in order."""
    response = client.get(LIST_URL, {"q": query})
    assert response.status_code == 200
    return re.findall(r'href="/boite-a-outils/([^/"]+)/"', response.content.decode()), response


# ---- stems and accents ---------------------------------------------------------------------------------


def test_a_singular_finds_the_plural_and_back(in_a):
    ActionFactory(code="DEC-A", title="Trier les déchets du bureau")
    ActionFactory(code="DEC-B", title="Réduire un déchet dangereux")

    assert sorted(found("déchet")) == ["DEC-A", "DEC-B"]
    assert sorted(found("déchets")) == ["DEC-A", "DEC-B"]


@pytest.mark.parametrize("query", ["energie", "énergie", "ÉNERGIE", "Énergies", "energies"])
def test_accents_and_case_do_not_matter_either_way(in_a, query):
    ActionFactory(code="ACC-A", title="Suivre sa consommation d'énergie")
    ActionFactory(code="ACC-B", title="Energie solaire sur le toit")  # written without its accent

    assert sorted(found(query)) == ["ACC-A", "ACC-B"]


def test_words_are_found_in_the_promise_the_body_and_the_steps(in_a):
    ActionFactory(code="W-PROMISE", promise="Moins de gaspillage alimentaire")
    ActionFactory(code="W-BODY", body="Un **composteur** partagé")
    ActionStepFactory(action=ActionFactory(code="W-STEP"), text="Installer des récupérateurs d'eau de pluie")

    assert found("gaspillage") == ["W-PROMISE"]
    assert found("composteurs") == ["W-BODY"]
    assert found("recuperateur") == ["W-STEP"]


def test_all_words_must_match(in_a):
    ActionFactory(code="AND-A", title="Isoler les combles", promise="Moins de chauffage")
    ActionFactory(code="AND-B", title="Isoler les murs")

    assert found("isoler chauffage") == ["AND-A"]


# ---- ranking -------------------------------------------------------------------------------------------


def test_a_title_outranks_a_promise_which_outranks_the_body_and_the_steps(in_a, client_a):
    # Created in the opposite order, and the body repeats the word: the weights decide, not the count.
    body = ActionFactory(code="R-BODY", order=1, body="Le vélo, le vélo, encore le vélo. " * 5)
    step = ActionFactory(code="R-STEP", order=2)
    ActionStepFactory(action=step, text="Prêter un vélo")
    ActionFactory(code="R-PROMISE", order=3, promise="Venir à vélo au travail")
    ActionFactory(code="R-TITLE", order=4, title="Le vélo de fonction")

    ranked = found("vélo")
    assert ranked[:2] == ["R-TITLE", "R-PROMISE"]
    assert sorted(ranked[2:]) == [body.code, step.code]
    codes, _response = listed(client_a, "velo")
    assert codes == ranked


def test_an_empty_query_lists_every_visible_action_in_the_territory_s_order(in_a, client_a):
    ActionFactory(code="O-B", order=2)
    ActionFactory(code="O-A", order=2)
    ActionFactory(code="O-C", order=1)
    ActionFactory(code="O-HIDDEN", order=0, hidden=True)

    codes, response = listed(client_a, "   ")
    assert codes == ["O-C", "O-A", "O-B"]
    assert "3 actions" in response.content.decode()


# ---- queries that hold no word -------------------------------------------------------------------------


def test_a_query_of_stop_words_only_says_so_and_lists_everything(in_a, client_a):
    ActionFactory(code="STOP-A", title="Le la de")

    assert not has_words("le la de")
    assert not has_words("à été même")
    assert has_words("le vélo")
    codes, response = listed(client_a, "le la de")
    assert codes == ["STOP-A"]
    assert "ne contient que des mots trop courants" in response.content.decode()


HOSTILE = [
    "'",
    '"',
    "''; DROP TABLE toolbox_action; --",
    "&|!:*()",
    "énergie:*",
    "(énergie",
    "énergie & | !",
    "-",
    "-énergie",
    '"énergie',
    "<script>alert('x')</script>",
    "énergie" * 30,  # 210 characters: over the limit, refused with a message
    "x" * 5000,
    "éner\x00gie",
    "\x00",
    "\ue000énergie\ue001",
    "énergie\u200b",
    "🌍 énergie",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_input_never_breaks_the_page_and_is_escaped(in_a, client_a, query):
    ActionFactory(code="HOST-A", title="Économiser l'énergie")

    response = client_a.get(LIST_URL, {"q": query})

    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert" not in page
    assert "\x00" not in page
    assert Action.objects.filter(code="HOST-A").exists()
    if len(query) > 200:
        assert "au plus 200 caractères" in page


def test_a_nul_byte_is_dropped_from_the_query(in_a):
    ActionFactory(code="NUL-A", title="Économiser l'énergie")

    assert clean_query("éner\x00gie") == "éner gie"
    assert clean_query("  énergie \x00 ") == "énergie"
    assert found(clean_query("\x00énergie")) == ["NUL-A"]


def test_a_tag_in_the_query_is_shown_escaped(in_a, client_a):
    ActionFactory(code="ESC-A", title="Le script de la sobriété")

    _codes, response = listed(client_a, "<script>sobriété</script>")
    page = response.content.decode()
    assert "&lt;script&gt;sobriété&lt;/script&gt;" in page
    assert "<script>sobriété" not in page


# ---- highlighting --------------------------------------------------------------------------------------


def test_matches_are_highlighted_in_the_title_and_the_promise(in_a, client_a):
    ActionFactory(code="HL-A", title="Réduire les déchets", promise="Un déchet trié est un déchet valorisé")

    _codes, response = listed(client_a, "dechet")
    page = response.content.decode()
    assert "Réduire les <mark>déchets</mark>" in page
    assert "Un <mark>déchet</mark> trié est un <mark>déchet</mark> valorisé" in page


def test_an_excerpt_of_the_body_or_steps_shows_where_they_matched(in_a, client_a):
    step_action = ActionFactory(code="HL-STEP", title="Une action")
    ActionStepFactory(action=step_action, text="Demander un diagnostic thermique")
    ActionFactory(code="HL-BODY", title="Une autre", body="Faites un **diagnostic** [avec nous](https://exemple.fr)")
    ActionFactory(code="HL-TITLE", title="Le diagnostic", body="Rien à voir")

    _codes, response = listed(client_a, "diagnostic")
    page = response.content.decode()
    assert "Demander un <mark>diagnostic</mark> thermique" in page
    assert "Faites un <mark>diagnostic</mark>" in page
    assert "**" not in page and "](https" not in page
    assert "Rien à voir" not in page  # a title match shows no excerpt of an unrelated body


def test_highlighting_escapes_everything_but_its_own_marks(in_a, client_a):
    ActionFactory(
        code="HL-XSS",
        title='<img src=x onerror="alert(1)"> Énergie',
        promise="<script>alert('x')</script> Énergie verte",
        body='<b onmouseover="alert(1)">énergie</b>',
    )

    _codes, response = listed(client_a, "energie")
    page = response.content.decode()
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>Énergie</mark>" in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; <mark>Énergie</mark> verte" in page
    assert "<img src=x" not in page and "<script>alert" not in page and "<b onmouseover" not in page


def test_the_marker_characters_in_a_text_do_not_become_marks(in_a):
    ActionFactory(code="HL-PUA", title=f"{START_MARK}faux{STOP_MARK} énergie")

    [row] = find(Filters(), "énergie").rows
    assert row["title_fragment"] == f"faux {START_MARK}énergie{STOP_MARK}"
    assert highlight_html(row["title_fragment"]) == "faux <mark>énergie</mark>"


def test_highlight_html_escapes_then_marks():
    fragment = f"<b>&{START_MARK}vélo{STOP_MARK}\"'"
    assert highlight_html(fragment) == "&lt;b&gt;&amp;<mark>vélo</mark>&quot;&#x27;"
    assert highlight_html(None) == ""


# ---- the index is kept by triggers, whatever writes ----------------------------------------------------


def test_steps_added_changed_and_deleted_update_the_index(in_a):
    action = ActionFactory(code="TRIG-A", title="Une action")
    step = ActionStepFactory(action=action, text="Poser des mousseurs")
    assert found("mousseur") == ["TRIG-A"]

    step.text = "Régler la chaudière"
    step.save()
    assert found("mousseur") == []
    assert found("chaudiere") == ["TRIG-A"]

    ActionStep.objects.bulk_create(ActionStep(action=action, text=f"Étape {n} : robinets") for n in range(3))
    assert found("robinet") == ["TRIG-A"]

    ActionStep.objects.filter(action=action).delete()
    assert found("chaudiere") == [] and found("robinet") == []
    assert found("action") == ["TRIG-A"]


def test_a_queryset_update_and_a_bulk_create_of_actions_are_indexed(in_a):
    Action.objects.bulk_create(
        [ActionFactory.build(code="BULK-A", title="Panneaux photovoltaïques"), ActionFactory.build(code="BULK-B")]
    )
    assert found("photovoltaique") == ["BULK-A"]

    Action.objects.filter(code="BULK-B").update(title="Chauffe-eau solaire")
    assert found("solaire") == ["BULK-B"]


def test_a_value_written_by_django_never_replaces_the_index(in_a):
    action = ActionFactory(code="KEEP-A", title="Éclairage LED")
    action.search_vector = None  # what an instance holds after create: never read back
    action.promise = "Moins de watts"
    action.save()

    assert found("eclairage") == ["KEEP-A"]
    assert found("watt") == ["KEEP-A"]
    Action.objects.filter(pk=action.pk).update(search_vector=None)
    assert found("eclairage") == ["KEEP-A"]


def test_the_gin_index_serves_the_search_s_match(in_a):
    """The planner may read a small table whole (it does up to a few thousand actions, as fast): what
    must hold is that the search's condition is one the index answers."""
    ActionFactory(title="Économiser l'énergie")
    sql, parameters = statement(Filters(), "énergie")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", parameters)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on action_search_vector_gin" in plan, plan


def test_the_gin_index_keeps_no_pending_list(in_a):
    """Entries written straight into the index: after an import, a pending list of thousands of
    entries made every search scan it until a vacuum (bench/bench_toolbox_search.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = 'action_search_vector_gin'::regclass")
        assert cursor.fetchone()[0] == ["fastupdate=off"]


# ---- the migration ------------------------------------------------------------------------------------


def _in_schema(schema, sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL search_path = {schema}, public")
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def test_the_configuration_and_the_extension_live_once_in_the_public_schema(territories, db):
    rows = _in_schema(
        "public",
        "SELECT n.nspname FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace "
        "WHERE c.cfgname = 'french_unaccent'",
    )
    assert rows == [("public",)]
    assert _in_schema(
        "public", "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'"
    ) == [("public",)]
    # Stems without accents; stop words, accented ones included, left out.
    assert _in_schema(
        "public", "SELECT to_tsvector('public.french_unaccent', 'Énergies à été même sobriété')::text"
    ) == [("'energ':1 'sobriet':5",)]


@pytest.mark.parametrize("index", [0, 1])
def test_every_territory_schema_has_the_triggers_and_running_the_migration_again_changes_nothing(
    territories, db, index
):
    from importlib import import_module

    migration = import_module("toolbox.migrations.0002_search")
    schema = territories[index].schema_name
    triggers = _in_schema(
        schema,
        "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE c.relnamespace = %s::regnamespace AND tgname LIKE '%%search%%' ORDER BY tgname",
        [schema],
    )
    assert [name for (name,) in triggers] == [
        "toolbox_action_search_document",
        "toolbox_actionstep_search_delete",
        "toolbox_actionstep_search_insert",
        "toolbox_actionstep_search_update",
    ]
    _in_schema(schema, migration.TEXT_SEARCH_CONFIGURATION)
    _in_schema(schema, migration.TRIGGERS)
    assert len(_in_schema("public", "SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent'")) == 1
