"""docs/settings.md names every DST_* setting, and names none that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

from dst.config import Settings

DOC = Path(__file__).parents[1] / "docs" / "settings.md"


def test_every_setting_is_documented_and_every_documented_setting_exists() -> None:
    named = set(re.findall(r"`(DST_[A-Z0-9_]+)`", DOC.read_text()))
    settings = {f"DST_{name.upper()}" for name in Settings.model_fields}
    assert sorted(settings - named) == [], "settings missing from docs/settings.md"
    assert sorted(named - settings) == [], "docs/settings.md names settings that do not exist"
