"""Settings: every bad one reported at once, without a traceback."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import (
    folio,
)


def test_bad_settings_are_all_reported_without_traceback(tmp_path: Path) -> None:
    result = folio(tmp_path, "serve", env={"FOLIO_PORT": "eighty", "FOLIO_DPI": "0",
                                           "FOLIO_REDIS_URL": "localhost:6379"})
    assert result.returncode == 2
    for name in ("FOLIO_PORT", "FOLIO_DPI", "FOLIO_REDIS_URL"):
        assert name in result.stderr
    assert "Traceback" not in result.stderr
