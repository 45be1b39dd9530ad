"""Rows of a list kept rendered (assett/fragments.py cached_each): each rendered once per content.
A kept fragment's forms, which take the reader's CSRF token, are tested where they are posted
(tests/toolbox/test_list_cache.py, tests/referentiel/test_results_cache.py)."""

import pytest

from assett import fragments
from assett import release as release_module
from assett.fragments import cached_each

ROW = "toolbox/plan/_row.html"


def a_row(pk, title):
    return {
        "row": {
            "pk": pk,
            "title": title,
            "theme_title": "Énergie",
            "badge": "",
            "status_label": "À lancer",
            "overdue": False,
            "priority_label": "Normale",
            "owner": "—",
            "target": "—",
            "steps": "—",
            "plan_url": "/organisations/1/plan/",
        }
    }


@pytest.fixture
def renders(monkeypatch):
    """The titles of the rows rendered (not read back), in order."""
    rendered = []
    real = fragments.get_template

    class Counted:
        def __init__(self, name):
            self.template = real(name)

        def render(self, context):
            rendered.append(context["row"]["title"])
            return self.template.render(context)

    monkeypatch.setattr(fragments, "get_template", Counted)
    return rendered


def test_each_row_is_its_own_context_s_and_only_a_changed_one_is_rendered_again(renders):
    rows = [a_row(pk, f"Action {pk}") for pk in range(1, 6)]
    first = cached_each("essai", (1,), rows, ROW)
    assert renders == [f"Action {pk}" for pk in range(1, 6)]

    rows[2] = a_row(3, "Action 3 renommée")
    again = cached_each("essai", (1,), rows, ROW)

    assert renders[5:] == ["Action 3 renommée"]
    assert again[:2] == first[:2] and again[3:] == first[3:]
    assert "Action 3 renommée" in again[2] and 'href="/organisations/1/plan/3/"' in again[2]


def test_a_row_kept_by_one_release_is_rendered_again_by_the_next(renders, monkeypatch):
    rows = [a_row(1, "Action 1")]
    monkeypatch.setattr(fragments, "release", lambda: "avant")
    cached_each("essai", (1,), rows, ROW)
    monkeypatch.setattr(fragments, "release", lambda: "après")

    cached_each("essai", (1,), rows, ROW)

    assert renders == ["Action 1", "Action 1"]


def test_the_release_is_named_by_the_deploy_or_digests_the_project_s_files(tmp_path, monkeypatch):
    monkeypatch.setattr(release_module, "_folders", lambda: [str(tmp_path)])
    template = tmp_path / "ligne.html"
    template.write_text("<tr><td>{{ row.title }}</td></tr>")
    before = release_module._digest()
    template.write_text("<tr><td>{{ row.title }}</td><td>{{ row.owner }}</td></tr>")

    changed = release_module._digest()
    assert changed != before
    (tmp_path / "notes.md").write_text("Pas du code")
    assert release_module._digest() == changed

    release_module.release.cache_clear()
    monkeypatch.setenv("ASSETT_RELEASE", "3f2a9c1")
    assert release_module.release() == "3f2a9c1"
    release_module.release.cache_clear()
