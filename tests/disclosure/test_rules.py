"""DisclosureRules: building from settings values, validation, pooling of a long frame."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from retour.disclosure import (
    OTHER_COUNTRIES,
    DisclosureRules,
    Profile,
    parse_country_list,
    pool_confidential,
)
from retour.domain.errors import UsageError

CODES = ["MA", "DZ", "NG", "SO", "ET", "AF", "IQ", "XK", "UNK"]


def test_from_settings_accepts_option_text_and_lists() -> None:
    from_option = DisclosureRules.from_settings("parliament", " ma, DZ ,")
    from_list = DisclosureRules.from_settings(Profile.PARLIAMENT, ["MA", "dz"])
    assert from_option == from_list
    assert from_option.confidential == frozenset({"MA", "DZ"})
    assert (from_option.suppress_below, from_option.round_to) == (5, 10)
    assert parse_country_list("") == frozenset()


def test_unknown_confidential_code_is_a_usage_error_naming_it() -> None:
    with pytest.raises(UsageError) as caught:
        DisclosureRules.from_settings("public", "MA,QQ,ZZZ")
    message = str(caught.value)
    assert "'QQ'" in message and "'ZZZ'" in message and "'MA'" not in message
    assert "--confidential" in message
    assert caught.value.exit_code == 2


def test_unknown_code_is_refused_even_for_internal() -> None:
    with pytest.raises(UsageError, match="'OTHER'"):
        DisclosureRules(Profile.INTERNAL, frozenset({OTHER_COUNTRIES}))


def test_unknown_profile_is_a_usage_error_listing_choices() -> None:
    with pytest.raises(UsageError, match="internal, parliament, public"):
        DisclosureRules.from_settings("press")


@pytest.mark.parametrize(
    ("suppress_below", "round_to"), [(2, 10), (0, 10), (5, 0)], ids=["lt2", "zero", "round0"]
)
def test_thresholds_that_cannot_protect_are_refused(suppress_below: int, round_to: int) -> None:
    with pytest.raises(UsageError):
        DisclosureRules(Profile.PUBLIC, suppress_below=suppress_below, round_to=round_to)


def test_switches_follow_the_profile() -> None:
    internal = DisclosureRules(Profile.INTERNAL, frozenset({"MA"}))
    parliament = DisclosureRules(Profile.PARLIAMENT, frozenset({"MA"}))
    public = DisclosureRules(Profile.PUBLIC)
    assert not internal.pools and parliament.pools and not public.pools
    assert not parliament.suppresses and not parliament.rounds
    assert public.suppresses and public.rounds
    assert not DisclosureRules(Profile.PUBLIC, suppress_below=1, round_to=1).suppresses
    assert parliament.warnings and not internal.warnings
    assert not DisclosureRules(Profile.PUBLIC, frozenset({"MA", "DZ"})).warnings


def test_a_rounding_finer_than_twice_the_threshold_is_warned_of() -> None:
    """With counts rounded to 2 and a threshold of 5 a share can pin a count (26 of 26
    requests shown as 26, a share of 11/13: only 21 fits), so the rules say so."""
    assert DisclosureRules(Profile.PUBLIC, suppress_below=5, round_to=2).warnings
    assert not DisclosureRules(Profile.PUBLIC, suppress_below=5, round_to=10).warnings
    assert not DisclosureRules(Profile.PUBLIC, suppress_below=5, round_to=1).warnings


long_frames = st.lists(
    st.tuples(st.sampled_from(CODES), st.integers(2018, 2020), st.integers(0, 30)),
    max_size=30,
).map(lambda rows: pl.DataFrame(rows, schema=["country", "year", "n"], orient="row"))


@given(long_frames, st.sets(st.sampled_from(CODES)), st.sampled_from(list(Profile)))
def test_pooling_keeps_every_total_and_names_no_confidential_country(
    frame: pl.DataFrame, confidential: set[str], profile: Profile
) -> None:
    rules = DisclosureRules(profile, frozenset(confidential))
    pooled = pool_confidential(frame, "country", rules)
    if not rules.pools:
        assert pooled.equals(frame)
        return
    assert pooled.columns == frame.columns
    assert not set(pooled["country"]) & confidential
    assert pooled.select(["country", "year"]).is_unique().all()
    by_year = frame.group_by("year").agg(pl.col("n").sum()).sort("year")
    assert pooled.group_by("year").agg(pl.col("n").sum()).sort("year").equals(by_year)
    secret = frame.filter(pl.col("country").is_in(sorted(confidential)))
    assert pooled.filter(pl.col("country") == OTHER_COUNTRIES)["n"].sum() == secret["n"].sum()
    named = frame.filter(~pl.col("country").is_in(sorted(confidential)))
    per_named = named.group_by("country", "year").agg(pl.col("n").sum())
    kept = pooled.filter(pl.col("country") != OTHER_COUNTRIES)
    assert kept.sort("country", "year").equals(per_named.sort("country", "year"))


def test_pooling_a_missing_column_is_a_programming_error() -> None:
    rules = DisclosureRules(Profile.PARLIAMENT, frozenset({"MA"}))
    with pytest.raises(ValueError, match="nationality"):
        pool_confidential(pl.DataFrame({"country": ["MA"], "n": [1]}), "nationality", rules)
