"""The secret key outside the database: where it is, how it is made, what it refuses."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from workbook.errors import AlreadyExistsError, SecretKeyError
from workbook.sealing import KEY_ENV, KEY_FILE_ENV, KeySource, Sealer, default_key_file
from workbook.tokens import HIDDEN, hash_token, hide_tokens, new_token

# A valid Fernet key that is the same in every process (pytest-xdist compares test ids).
GOOD_KEY = base64.urlsafe_b64encode(bytes(range(32))).decode("ascii")


def sealer_at(path: Path) -> Sealer:
    return Sealer(KeySource(path=path))


def test_the_test_run_never_uses_the_real_home_folder() -> None:
    configured = Path(os.environ[KEY_FILE_ENV])
    assert KEY_ENV not in os.environ
    assert Path.home() not in configured.parents
    assert KeySource.from_environment().path == configured


def test_a_key_file_is_made_on_first_seal_private_to_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "config" / "workbook" / "secret.key"
    made: list[Path] = []
    sealer = Sealer(KeySource(path=path), on_create=made.append)
    token = new_token()
    sealed = sealer.seal(token)
    assert made == [path]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert token not in sealed and hash_token(token) not in sealed
    assert sealer_at(path).unseal(sealed) == token  # a later process reads the same key
    assert "Back it up" in path.read_text()
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]  # no temporary file left


def test_printing_without_a_key_says_so_and_makes_no_key(tmp_path: Path) -> None:
    sealed = sealer_at(tmp_path / "a.key").seal(new_token())
    missing = tmp_path / "elsewhere" / "secret.key"
    with pytest.raises(SecretKeyError, match=r"no secret key at .*elsewhere.*new-link"):
        sealer_at(missing).unseal(sealed)
    assert not missing.exists()


def test_another_key_cannot_unseal_and_the_message_says_what_to_do(tmp_path: Path) -> None:
    sealed = sealer_at(tmp_path / "a.key").seal(new_token())
    other = sealer_at(tmp_path / "b.key")
    other.seal("makes b's key file")
    with pytest.raises(SecretKeyError, match=r"not the one this database's links were sealed with; restore"):
        other.unseal(sealed)
    assert not other.can_unseal(sealed)
    assert sealer_at(tmp_path / "a.key").can_unseal(sealed)


def test_a_key_in_the_environment_works_and_a_bad_one_is_not_echoed(tmp_path: Path) -> None:
    token = new_token()
    assert Sealer.from_environment({KEY_ENV: GOOD_KEY}).unseal(Sealer.from_environment({KEY_ENV: GOOD_KEY})
                                                                 .seal(token)) == token
    bad = "not-a-key-" + new_token()
    with pytest.raises(SecretKeyError, match=r"\$WORKBOOK_SECRET_KEY does not hold a valid secret key") as caught:
        Sealer.from_environment({KEY_ENV: bad}).seal(token)
    assert bad not in str(caught.value) and GOOD_KEY not in str(caught.value)


def test_setting_both_the_key_and_a_key_file_is_refused_when_the_key_is_needed(tmp_path: Path) -> None:
    sealer = Sealer.from_environment({KEY_ENV: GOOD_KEY, KEY_FILE_ENV: str(tmp_path / "k")})
    with pytest.raises(SecretKeyError, match="set only one of them"):
        sealer.seal("x")
    with pytest.raises(SecretKeyError, match="set only one of them"):
        sealer.unseal("x")


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    sealer_at(path).seal("x")
    path.chmod(0o644)
    with pytest.raises(SecretKeyError, match=r"can be read by other users; make it private with: chmod 600"):
        sealer_at(path).seal("x")


@pytest.mark.parametrize("content", ["", "# only a comment\n", "too-short\n", f"{GOOD_KEY}\n{GOOD_KEY}\n"])
def test_a_damaged_key_file_is_one_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "secret.key"
    path.write_text(content)
    path.chmod(0o600)
    with pytest.raises(SecretKeyError, match=r"does not hold a valid key; restore it from its backup"):
        sealer_at(path).seal("x")


def test_a_key_file_that_cannot_be_made_says_where_to_put_one(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(SecretKeyError, match=rf"cannot create the secret key file .*; set \${KEY_FILE_ENV}"):
        sealer_at(blocker / "secret.key").seal("x")


def test_the_default_key_file_is_in_the_users_config_folder(tmp_path: Path) -> None:
    assert default_key_file({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "workbook" / "secret.key"
    assert default_key_file({}) == Path.home() / ".config" / "workbook" / "secret.key"
    assert default_key_file({"XDG_CONFIG_HOME": "relative"}) == Path.home() / ".config" / "workbook" / "secret.key"
    assert KeySource.from_environment({KEY_FILE_ENV: str(tmp_path / "k")}).path == tmp_path / "k"


def test_processes_racing_to_make_the_key_agree_on_one(tmp_path: Path) -> None:
    path = tmp_path / "k" / "secret.key"
    sealed: list[str] = []
    errors: list[Exception] = []
    barrier = threading.Barrier(6)

    def first_use() -> None:
        sealer = sealer_at(path)
        barrier.wait()
        try:
            sealed.append(sealer.seal("same"))
        except Exception as error:  # a thread's exception would otherwise only be a warning
            errors.append(error)

    threads = [threading.Thread(target=first_use) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(sealed) == 6
    assert {sealer_at(path).unseal(s) for s in sealed} == {"same"}


def test_key_new_refuses_to_replace_a_key(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    assert sealer_at(path).new_key_file() == path
    with pytest.raises(AlreadyExistsError, match=r"exists in .* already"):
        sealer_at(path).new_key_file()
    with pytest.raises(SecretKeyError, match="comes from"):
        Sealer.from_environment({KEY_ENV: GOOD_KEY}).new_key_file()


def test_looking_a_link_up_never_loads_the_key_or_cryptography(tmp_path: Path) -> None:
    """What a Voila kernel does: open the store, find the person. No key, no cryptography import."""
    from workbook.people_csv import PersonRow
    from workbook.store import open_store

    db = str(tmp_path / "w.db")
    with open_store(db, sealer=sealer_at(tmp_path / "secret.key")) as store:
        store.organisations.create("Acme", "acme")
        store.people.import_rows("acme", [PersonRow("Ada", "ada@example.org", "leader", "T")])
        token = store.people.invite("acme", "ada@example.org").token
    script = (
        "import sys; from workbook.store import open_store\n"
        f"store = open_store({db!r}); print(store.people.by_token(sys.stdin.read()).email)\n"
        "print('cryptography' in sys.modules)\n"
    )
    # Both variables set (a mistake) and neither usable: looking up needs none of it.
    env = {**os.environ, KEY_FILE_ENV: str(tmp_path / "nowhere" / "secret.key"), KEY_ENV: "not a key"}
    done = subprocess.run([sys.executable, "-c", script], input=token, env=env, capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["ada@example.org", "False"]
    assert not (tmp_path / "nowhere").exists()


def test_token_shaped_text_is_hidden_in_messages() -> None:
    token = new_token()
    assert hide_tokens(f"no organisation with the id '{token}'") == f"no organisation with the id '{HIDDEN}'"
    assert token not in hide_tokens(f"?token={token}&x=1")
    slug = "harbour-and-vine-hotels-and-restaurants-xyz"
    assert len(slug) == 43 and hide_tokens(slug) == slug  # organisation ids are never hidden
    assert hide_tokens("ada@example.org") == "ada@example.org"


def test_opening_a_new_database_makes_no_key_file(tmp_path: Path) -> None:
    from workbook.store import open_store

    key = tmp_path / "keys" / "secret.key"
    with open_store(str(tmp_path / "new.db"), sealer=sealer_at(key)) as store:
        assert store.organisations.list() == []
    assert not key.exists()
