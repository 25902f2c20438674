"""Pseudonyms stay stable and keys stay unguessable (item 4 of docs/reliability.md).

The database records a fingerprint of its pseudonym key (an HMAC of a fixed label, never
the key); an import under another key is refused with exit 2 and changes nothing. Weak
secrets are refused in one line by `retour import` and `retour serve`.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import sqlalchemy as sa

from retour.config import secret_weakness
from retour.exchange.pseudonym import key_fingerprint
from retour.store import open_database

from ..exchange.conftest import VALID, write_folder
from ..exchange.test_pseudonyms import with_v_numbers
from ..process import retour

KEY_A = "first-key-" + "Xq7vLr2mKp9sTw4z"
KEY_B = "other-key-" + "Hn3cYb8dFg6jQe1u"


def _count(url: str, query: str) -> int:
    with open_database(url) as db, db.begin() as conn:
        return int(conn.execute(sa.text(query)).scalar_one())


def test_an_import_under_another_key_is_refused_and_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    open_database(database_url).close()
    keyed = write_folder(tmp_path / "keyed", with_v_numbers(VALID))
    first = retour(["import", str(keyed)], tmp_path, RETOUR_DB=database_url, RETOUR_SECRET=KEY_A)
    assert first.returncode == 0, first.stderr
    cases = _count(database_url, "SELECT count(*) FROM cases")
    with open_database(database_url) as db, db.begin() as conn:
        stored = conn.execute(sa.text("SELECT fingerprint FROM pseudonym_key")).scalar_one()
    assert stored == key_fingerprint(KEY_A.encode()) and KEY_A not in stored
    assert stored != key_fingerprint(KEY_B.encode())

    other = retour(
        ["--lang", "en", "import", str(keyed)],
        tmp_path,
        RETOUR_DB=database_url,
        RETOUR_SECRET=KEY_B,
    )
    assert other.returncode == 2
    (line,) = [x for x in other.stderr.splitlines() if x.strip()]
    assert "this database was pseudonymised with another secret" in line.lower()
    assert "RETOUR_SECRET" in line and KEY_B not in line and KEY_A not in line
    assert _count(database_url, "SELECT count(*) FROM cases") == cases  # not 2 x cases
    refused = "SELECT count(*) FROM audit_log WHERE action = 'import_refused' AND detail LIKE "
    assert _count(database_url, refused + "'%pseudonym_key%'") == 1

    again = retour(["import", str(keyed)], tmp_path, RETOUR_DB=database_url, RETOUR_SECRET=KEY_A)
    assert again.returncode == 0, again.stderr
    assert _count(database_url, "SELECT count(*) FROM cases") == cases


def test_data_without_alien_numbers_is_not_bound_to_a_key(
    database_url: str, tmp_path: Path
) -> None:
    """Only an import that pseudonymises records (and is checked against) the key."""
    open_database(database_url).close()
    plain = write_folder(tmp_path / "plain", VALID)
    done = retour(["import", str(plain)], tmp_path, RETOUR_DB=database_url, RETOUR_SECRET=KEY_B)
    assert done.returncode == 0, done.stderr
    assert _count(database_url, "SELECT count(*) FROM pseudonym_key") == 0
    keyed = write_folder(tmp_path / "keyed", with_v_numbers(VALID))
    done = retour(["import", str(keyed)], tmp_path, RETOUR_DB=database_url, RETOUR_SECRET=KEY_A)
    assert done.returncode == 0, done.stderr
    assert _count(database_url, "SELECT count(*) FROM pseudonym_key") == 1


WEAK_SECRETS = [
    pytest.param(" " * 16, "only white space", id="sixteen-spaces"),
    pytest.param("\t \n" * 8, "only white space", id="mixed-white-space"),
    pytest.param("a" * 16, "one character repeated", id="one-character"),
    pytest.param("x" * 64, "one character repeated", id="long-but-one-character"),
    pytest.param("short-key-1", "shorter than 16", id="short"),
    pytest.param("ab" * 16, "fewer than 8 different", id="two-characters"),
    pytest.param("1234567890123456", "too predictable", id="digits-only"),
]


@pytest.mark.parametrize(("secret", "problem"), WEAK_SECRETS)
def test_a_weak_pseudonym_key_is_refused_by_import(
    database_url: str, tmp_path: Path, secret: str, problem: str
) -> None:
    open_database(database_url).close()
    keyed = write_folder(tmp_path / "keyed", with_v_numbers(VALID))
    done = retour(["import", str(keyed)], tmp_path, RETOUR_DB=database_url, RETOUR_SECRET=secret)
    assert done.returncode == 2
    (line,) = [x for x in done.stderr.splitlines() if x.strip()]
    assert "'secret'" in line and problem in line and "secrets.token_urlsafe" in line
    assert "RETOUR_SECRET" in line and "Traceback" not in done.stderr
    if secret.strip():
        assert secret not in line
    assert _count(database_url, "SELECT count(*) FROM cases") == 0


WEAK_SESSION_SECRETS = [
    pytest.param("a" * 32, "one character repeated", id="thirty-two-a"),
    pytest.param(" " * 40, "only white space", id="spaces"),
    pytest.param("abcd" * 10, "fewer than 8 different", id="four-characters"),
    pytest.param("12345678901234567890123456789012", "too predictable", id="digits"),
    pytest.param("changethis", "default value", id="default"),
]


@pytest.mark.parametrize(("secret", "problem"), WEAK_SESSION_SECRETS)
def test_a_weak_session_secret_is_refused_by_serve(
    database_url: str, tmp_path: Path, secret: str, problem: str
) -> None:
    open_database(database_url).close()
    done = retour(
        ["serve", "--port", "1"], tmp_path, RETOUR_DB=database_url, RETOUR_SESSION_SECRET=secret
    )
    assert done.returncode == 2
    (line,) = [x for x in done.stderr.splitlines() if x.strip()]
    assert "'session_secret'" in line and problem in line and "token_urlsafe" in line


def test_a_weak_pseudonym_key_is_refused_by_serve(database_url: str, tmp_path: Path) -> None:
    open_database(database_url).close()
    done = retour(
        ["serve", "--port", "1"],
        tmp_path,
        RETOUR_DB=database_url,
        RETOUR_SECRET="a" * 16,
        RETOUR_SESSION_SECRET=secrets.token_urlsafe(48),
    )
    assert done.returncode == 2
    assert "one character repeated" in done.stderr and "RETOUR_SECRET" in done.stderr


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(secrets.token_urlsafe(12), id="token_urlsafe-12"),
        pytest.param(secrets.token_hex(8), id="token_hex-8"),
        pytest.param("correct horse battery staple", id="passphrase"),
    ],
)
def test_random_keys_and_passphrases_are_accepted(secret: str) -> None:
    assert secret_weakness(secret, min_length=16, min_bits=64) is None


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(secrets.token_urlsafe(24), id="token_urlsafe-24"),
        pytest.param(secrets.token_hex(16), id="token_hex-16"),
        pytest.param(secrets.token_urlsafe(48), id="token_urlsafe-48"),
    ],
)
def test_random_session_secrets_are_accepted(secret: str) -> None:
    assert secret_weakness(secret, min_length=32, min_bits=128) is None
