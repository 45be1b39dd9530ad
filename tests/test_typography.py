"""French guillemets hold their words with non-breaking spaces (« texte », U+00A0 inside), so that a
line never ends with « nor starts with ». Checked in what people read: templates outside their
comments, Python string literals (not comments, not docstrings), the national data files."""

import io
import re
import tokenize
from pathlib import Path

from django.conf import settings

# « then an ordinary space, or an ordinary space then » (written \x20 here, so that this file passes)
LOOSE_GUILLEMET = re.compile(r"«\x20|\x20»")
TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.S)
DATA_SUFFIXES = {".html", ".txt", ".yaml", ".yml", ".csv"}


SKIPPED = {"docs", "bench", "migrations", "node_modules", "build", "static"}


def _project_files():
    for path in Path(settings.BASE_DIR).rglob("*"):
        parts = path.relative_to(settings.BASE_DIR).parts
        if path.suffix in {".py", *DATA_SUFFIXES} and not SKIPPED & set(parts) and not parts[0].startswith("."):
            yield path


def _python_strings(source):
    """The string literals of a module that are not docstrings, with their line."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    previous = None
    for index, token in enumerate(tokens):
        if token.type == tokenize.STRING:
            statement_alone = previous in (None, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
            if not (statement_alone and tokens[index + 1].type in (tokenize.NEWLINE, tokenize.ENDMARKER)):
                yield token.start[0], token.string
        if token.type not in (tokenize.COMMENT, tokenize.NL):
            previous = token.type


def loose_guillemets(path):
    """(line, text) of each « or » with an ordinary space inside, in what a person reads of `path`."""
    source = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        pieces = _python_strings(source)
    else:
        without_comments = TEMPLATE_COMMENT.sub(lambda match: "\n" * match.group().count("\n"), source)
        pieces = enumerate(without_comments.splitlines(), start=1)
    return [(line, text.strip()[:80]) for line, text in pieces if LOOSE_GUILLEMET.search(text)]


def test_guillemets_hold_their_words_with_non_breaking_spaces():
    found = {
        str(path.relative_to(settings.BASE_DIR)): places
        for path in _project_files()
        if (places := loose_guillemets(path))
    }
    assert not found, f"guillemets with an ordinary space inside (use U+00A0): {found}"


def test_the_check_finds_a_loose_guillemet_and_spares_comments_and_docstrings(tmp_path):
    module = tmp_path / "module.py"
    module.write_text('"""«\x20docstring\x20»"""\n#\x20«\x20comment\x20»\nMESSAGE = "Cliquez sur «\x20Envoyer\x20»."\n')
    assert loose_guillemets(module) == [(3, '"Cliquez sur «\x20Envoyer\x20»."')]
    template = tmp_path / "page.html"
    template.write_text("{#\x20«\x20note\x20»\x20#}\n<p>«\u00a0bon\u00a0»</p>\n<p>«\x20mauvais\x20»</p>\n")
    assert loose_guillemets(template) == [(3, "<p>«\x20mauvais\x20»</p>")]
