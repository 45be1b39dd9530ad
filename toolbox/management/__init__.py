"""Helpers of the toolbox commands (export_toolbox, import_toolbox)."""

from referentiel.management import referential_yaml


def toolbox_yaml(data):
    """The YAML text of plain toolbox data (dump_toolbox), which read_yaml reads back identically: the
    referential's block style, UTF-8 as is, multi-line Markdown bodies as literal blocks."""
    return referential_yaml(data)
