"""Rounding finer than twice the threshold is refused, not only warned of: with counts
rounded to 2 and counts under 5 hidden, a published share beside its rounded count can give
back a hidden count (retour.disclosure.estimates). Every public output says so in one line
naming the settings and exits 2; the internal profile, which neither rounds nor hides, still
answers; DT&V's 10 and 5 and no rounding at all (1) are accepted. Run as a user runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import TEST_SECRET
from ..exchange.conftest import VALID, write_folder
from ..process import retour


@pytest.fixture
def home(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    env = {"RETOUR_DB": str(tmp_path / "r.sqlite"), "RETOUR_SECRET": TEST_SECRET}
    folder = write_folder(tmp_path / "d", VALID)
    done = retour(["import", str(folder)], tmp_path, **env)
    assert done.returncode == 0, done.stderr
    return tmp_path, env


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "error: The public profile rounds counts to 2 and hides counts under 5: a "
               "published share could then give back a hidden count. Set RETOUR_ROUND_TO"),
        ("nl", "fout: Het openbare profiel rondt aantallen af op 2 en verbergt aantallen "
               "onder 5: een gepubliceerd aandeel kan dan een verborgen aantal prijsgeven. "
               "Zet RETOUR_ROUND_TO"),
    ],
)  # fmt: skip
def test_a_rounding_finer_than_twice_the_threshold_is_refused(
    home: tuple[Path, dict[str, str]], lang: str, said: str
) -> None:
    folder, env = home
    done = retour(["figures", "requests", "--lang", lang], folder, **env, RETOUR_ROUND_TO="2")
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(said), line
    internal = ["figures", "requests", "--profile", "internal", "--format", "csv"]
    kept = retour(internal, folder, **env, RETOUR_ROUND_TO="2")
    assert kept.returncode == 0, kept.stderr


@pytest.mark.parametrize("round_to", ["10", "1"])
def test_rounding_to_twice_the_threshold_or_not_at_all_is_accepted(
    home: tuple[Path, dict[str, str]], round_to: str
) -> None:
    folder, env = home
    done = retour(
        ["figures", "requests", "--format", "csv"], folder, **env, RETOUR_ROUND_TO=round_to
    )
    assert done.returncode == 0, done.stderr
