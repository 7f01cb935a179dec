"""Saving from the apps: a busy database is tried again; other refusals are not."""

from __future__ import annotations

import pytest

from workbook.apps import saving
from workbook.apps.saving import SAVE_TRIES, with_retries
from workbook.errors import ConflictError, StoreError


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    pauses: list[float] = []
    monkeypatch.setattr(saving.time, "sleep", pauses.append)
    return pauses


def test_a_busy_database_is_tried_again_until_it_answers(no_pauses: list[float]) -> None:
    calls: list[int] = []

    def save() -> str:
        calls.append(1)
        if len(calls) < SAVE_TRIES:
            raise StoreError("database is locked")
        return "saved"

    assert with_retries(save, "test save") == "saved"
    assert len(calls) == SAVE_TRIES
    assert no_pauses == [0.25, 0.5]  # short, growing pauses


def test_after_the_last_try_the_store_error_reaches_the_app(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    def save() -> None:
        calls.append(1)
        raise StoreError("database is locked")

    with pytest.raises(StoreError, match="locked"):
        with_retries(save, "test save")
    assert len(calls) == SAVE_TRIES
    assert f"test save failed (try {SAVE_TRIES} of {SAVE_TRIES})" in caplog.text


def test_a_refusal_is_not_tried_again(no_pauses: list[float]) -> None:
    calls: list[int] = []

    def save() -> None:
        calls.append(1)
        raise ConflictError("someone else saved first")

    with pytest.raises(ConflictError):
        with_retries(save, "test save")
    assert calls == [1] and no_pauses == []
