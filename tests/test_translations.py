"""Every user-facing string is translated into Russian and Ukrainian."""

import shutil
import subprocess

import polib
import pytest

from tests.processes import PYTHON, REPO, clean_env

LANGUAGES = ["ru", "uk"]
SOURCES = ["config", "core", "prisoners", "families", "exchanges", "notifications", "templates", "locale"]


def catalog(root, language) -> polib.POFile:
    return polib.pofile(str(root / "locale" / language / "LC_MESSAGES" / "django.po"))


def is_translated(entry: polib.POEntry) -> bool:
    if entry.fuzzy:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_translates_every_string(language):
    untranslated = [entry.msgid for entry in catalog(REPO, language) if not entry.obsolete and not is_translated(entry)]

    assert untranslated == []


@pytest.fixture(scope="module")
def fresh_catalogs(tmp_path_factory):
    """Catalogs extracted anew from the source, in a copy of the tree."""
    root = tmp_path_factory.mktemp("messages")
    for name in SOURCES:
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(REPO / "manage.py", root / "manage.py")
    result = subprocess.run(
        [PYTHON, "manage.py", "makemessages", *(f"-l{language}" for language in LANGUAGES), "--no-obsolete"],
        cwd=root,
        env=clean_env(DEBUG="true", VAR_DIR=str(root / "var")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return root


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_has_every_string_of_the_source_in_the_catalog(fresh_catalogs, language):
    in_source = {entry.msgid for entry in catalog(fresh_catalogs, language)}
    in_catalog = {entry.msgid for entry in catalog(REPO, language) if not entry.obsolete}

    missing = sorted(in_source - in_catalog)
    assert missing == [], "run `make messages-update` and translate the new strings"
