"""workbook.settings: each setting's name and default defined once, one threshold rule everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from workbook import settings
from workbook.errors import InputError
from workbook.settings import MAX_THRESHOLD, MIN_THRESHOLD, Settings, check_threshold

PACKAGE = Path(settings.__file__).resolve().parent


@pytest.mark.parametrize("threshold", [3, 5, 50, np.int64(7)])
def test_allowed_thresholds_pass_as_int(threshold: int) -> None:
    assert check_threshold(threshold) == int(threshold)
    assert type(check_threshold(threshold)) is int


@pytest.mark.parametrize("threshold", [2, 1, 0, -3, 51, 500, 2.0, 5.0, "5", True, None])
def test_other_thresholds_are_refused_with_the_one_message(threshold: object) -> None:
    with pytest.raises(InputError) as info:
        check_threshold(threshold)
    assert str(info.value).startswith(f"the anonymity threshold must be a whole number from {MIN_THRESHOLD} "
                                      f"to {MAX_THRESHOLD}, not ")


def test_every_way_in_uses_the_same_rule(tmp_path: Path) -> None:
    """An organisation's threshold (create, set) and a report's --threshold refuse 2 alike
    (in a pair either person could work out the other's answers) and accept 3."""
    from workbook.report.batch import plan_jobs
    from workbook.report.model import _effective_thresholds
    from workbook.store import open_store

    with open_store(f"sqlite:///{tmp_path / 'rule.db'}") as store:
        with pytest.raises(InputError, match="from 3 to 50, not 2"):
            store.organisations.create("Pair", threshold=2)
        record = store.organisations.create("Trio", threshold=3)
        with pytest.raises(InputError, match="from 3 to 50, not 51"):
            store.organisations.set_threshold(record.id, 51)
        with pytest.raises(InputError, match="from 3 to 50, not 2"):
            plan_jobs(store, None, threshold=2)
        strict = store.organisations.create("Six", threshold=6)
    with pytest.raises(InputError, match="a report may use a higher one but not 4"):
        _effective_thresholds(strict, 4, None)  # allowed by the rule, but below the organisation's own
    with pytest.raises(InputError, match="from 3 to 50, not 2"):
        _effective_thresholds(record, 2, None)
    assert _effective_thresholds(record, 4, None) == (4, 4)


def test_settings_read_the_environment_once_and_hide_the_key() -> None:
    environ = {"WORKBOOK_DB": "team.db", "WORKBOOK_SECRET_KEY": " s3cret ", "WORKBOOK_KEY_FILE": " "}
    read = Settings.from_environment(environ)
    assert read == Settings(db="team.db", key="s3cret", key_file=None)
    assert "s3cret" not in repr(read)
    assert Settings.from_environment(environ, db="other.db").db == "other.db"  # --db first
    assert Settings.from_environment({}).db == settings.DEFAULT_DB_FILE == "workbook.db"
    assert Settings.from_environment({"WORKBOOK_KEY_FILE": "~/k"}).key_file == "~/k"


def test_setting_names_are_spelt_only_in_settings() -> None:
    """No module but workbook/settings.py spells an environment variable's name in code
    (docstrings and comments may name it for the reader)."""
    code_literal = re.compile(r"""["'](WORKBOOK_DB|WORKBOOK_KEY_FILE|WORKBOOK_SECRET_KEY)["']""")
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py")) if path.name != "settings.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if code_literal.search(line)
    ]
    assert offenders == []
    # One threshold rule: no other module defines a check of its own (the disclosure maths uses this one).
    threshold_rules = [
        str(path.relative_to(PACKAGE.parent)) for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "settings.py" and re.search(r"^def check_threshold\b", path.read_text(encoding="utf-8"), re.M)
    ]
    assert threshold_rules == []
