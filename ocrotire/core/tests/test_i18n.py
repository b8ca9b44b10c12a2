"""Every UI string is translated into Romanian, Ukrainian, Russian and English."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _ in settings.LANGUAGES]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()][:10]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()][:10]
    for entry in po:
        if entry.obsolete:
            continue
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(
                PLACEHOLDER.findall(entry.msgid_plural or entry.msgid)
            ) or sorted(set(PLACEHOLDER.findall(text))) == sorted(
                set(PLACEHOLDER.findall(entry.msgid))
            ), entry.msgid


def test_every_source_string_is_in_the_catalogues(tmp_path):
    """Re-extract the strings from the code and templates: none may be missing from the catalogues."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext (xgettext) is needed for this check: apt-get install gettext")
    work = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        work,
        ignore=shutil.ignore_patterns(".venv", "var", "static", ".git", "node_modules", "*.mo"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--no-location", "--no-obsolete", "-l", "en"],
        cwd=work,
        check=True,
        capture_output=True,
    )
    extracted = {
        e.msgid for e in polib.pofile(str(work / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    }
    for language in LANGUAGES:
        present = {
            e.msgid for e in polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
        }
        missing = sorted(extracted - present)
        assert not missing, f"{language}: run `make messages` and translate: {missing[:10]}"
