"""The real national toolbox file against a territory: its published referential, the workbook and the YAML text.

tests/toolbox/test_national_toolbox_content.py checks the file alone; these check what only a territory
can tell: that every question link holds against the referential as the database publishes it, and that
the 73 actions' long Markdown bodies, typographic spaces and links survive an export to Excel or YAML and
back, as a territory's staff will do to adapt them.
"""

import io

from assett.markdown import render_markdown
from toolbox.loader import NATIONAL_TOOLBOX, dump_toolbox, load_toolbox, read_yaml
from toolbox.management import toolbox_yaml
from toolbox.models import Action
from toolbox.spreadsheet import read_workbook, workbook_bytes
from toolbox.validation import validate_toolbox


def test_the_national_file_is_valid_against_the_published_national_referential(in_a):
    assert validate_toolbox(read_yaml(NATIONAL_TOOLBOX), national=True) == []


def test_the_national_toolbox_survives_the_workbook_round_trip(in_a):
    load_toolbox(read_yaml(NATIONAL_TOOLBOX), national=True)
    dumped = dump_toolbox()

    assert read_workbook(io.BytesIO(workbook_bytes(dumped))) == dumped


def test_the_national_toolbox_survives_the_yaml_text_round_trip(in_a, tmp_path):
    load_toolbox(read_yaml(NATIONAL_TOOLBOX), national=True)
    dumped = dump_toolbox()
    path = tmp_path / "boite.yaml"
    path.write_text(toolbox_yaml(dumped), encoding="utf-8")

    assert read_yaml(path) == dumped


def test_every_body_renders_as_markdown_without_escaped_html(in_a):
    load_toolbox(read_yaml(NATIONAL_TOOLBOX), national=True)

    for action in Action.objects.filter(code__in=[item["code"] for item in read_yaml(NATIONAL_TOOLBOX)["actions"]]):
        html = render_markdown(action.body)
        assert "<strong>" in html and "<ul>" in html, action.code
        assert "&lt;" not in html, action.code
