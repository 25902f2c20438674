"""Publication profiles, their rules, and pooling of confidential countries.

Every figure retour publishes passes through a :class:`DisclosureRules`:

- ``internal`` -- exact figures, every country named.
- ``parliament`` -- exact figures, but the countries on the confidential list (the
  ``confidential`` setting, or ``--confidential MA,DZ``) are pooled into one row
  "overige landen" / "other countries" (:data:`OTHER_COUNTRIES`): naming them can harm
  ongoing talks.
- ``public`` -- the parliament rules, plus counts from 1 to ``suppress_below - 1`` shown as
  ``<5``, every other count rounded to ``round_to``, and complementary suppression (see
  :mod:`retour.disclosure.suppression`).

This module takes its thresholds and the confidential list as arguments; it never reads the
settings itself (the import contract forbids ``retour.config`` here).

What pooling does and does not hide
-----------------------------------
The pooled row's count equals the grand total minus the named rows, so "total minus visible
rows" reveals nothing the row does not show itself. What pooling hides is *which* countries
the row holds, how many, and how its count splits between them:

- The table never names the pooled countries or says how many there are, so even a pool of
  one country is just "other countries". A missing pooled row and a pooled row of 0 say the
  same thing -- that no confidential country had any -- which names no country.
- Use one rules object for every table of a publication: pooling a country in one table and
  naming it in another lets a reader subtract.
- Residual risk, which no single table can remove: a reader who knows the confidential list
  and that only one of its countries has requests, or who knows the full set of countries
  with requests from elsewhere (e.g. Eurostat) and sees which are not named, can attribute a
  one-country pool to that country. Keep the list at two or more countries that usually
  have requests; :attr:`DisclosureRules.warnings` says so for a list of one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from retour.domain.countries import country_codes
from retour.domain.errors import N_, Field, UsageError

#: Code that replaces every confidential country code in a pooled column. Not an ISO code.
OTHER_COUNTRIES = "OTHER"

#: The pooled row's label per language.
OTHER_COUNTRIES_LABEL = {"nl": "overige landen", "en": "other countries"}

#: Dimension columns that hold country codes in retour's tables (CONTRACT.md).
COUNTRY_COLUMNS: tuple[str, ...] = ("country", "nationality", "destination")


class Profile(StrEnum):
    """Who a figure is published for; decides pooling, suppression and rounding."""

    INTERNAL = "internal"
    PARLIAMENT = "parliament"
    PUBLIC = "public"

    @classmethod
    def parse(cls, text: str) -> Profile:
        """The profile named by ``text`` (case-insensitive); a UsageError otherwise."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(p.value for p in cls)
            raise UsageError(
                N_("Unknown publication profile {value!r}."),
                hint=N_("Choose one of: {choices}."),
                field=Field.PROFILE,
                value=text,
                choices=choices,
            ) from None


def parse_country_list(text: str) -> frozenset[str]:
    """Codes from a comma-separated option value such as ``"MA, dz"`` (upper-cased)."""
    return frozenset(part.strip().upper() for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class DisclosureRules:
    """The rules one output applies.

    Attributes:
        profile: the publication profile.
        confidential: country codes pooled as "other countries" (parliament and public).
        suppress_below: public: counts ``1 .. suppress_below - 1`` are shown as
            ``<suppress_below``. 1 switches primary suppression off; 2 is refused, because a
            "<2" label would give away the count 1.
        round_to: public: shown counts are rounded to a multiple of this (1 = no rounding).

    Construct with :meth:`from_settings` when the values come from settings or options;
    the constructor validates as well and raises :class:`UsageError` for an unknown
    country code.
    """

    profile: Profile
    confidential: frozenset[str] = frozenset()
    suppress_below: int = 5
    round_to: int = 10

    def __post_init__(self) -> None:
        _check_codes(self.confidential)
        if self.suppress_below < 1 or self.suppress_below == 2:
            raise UsageError(
                N_("suppress_below must be 1 (off) or at least 3, not {value}."),
                hint=N_("A '<2' label would reveal the count 1; DT&V's practice is 5."),
                value=self.suppress_below,
            )
        if self.round_to < 1:
            raise UsageError(
                N_("round_to must be at least 1, not {value}."),
                hint=N_("Use 1 for no rounding; DT&V's practice is 10."),
                value=self.round_to,
            )

    @classmethod
    def from_settings(
        cls,
        profile: Profile | str,
        confidential: Iterable[str] | str = (),
        suppress_below: int = 5,
        round_to: int = 10,
    ) -> DisclosureRules:
        """Rules for ``profile`` from settings values.

        ``confidential`` is an iterable of codes or one comma-separated string (the CLI
        option); codes are stripped and upper-cased. Unknown codes raise UsageError naming
        them all.
        """
        codes = (
            parse_country_list(confidential)
            if isinstance(confidential, str)
            else frozenset(c.strip().upper() for c in confidential if c.strip())
        )
        chosen = profile if isinstance(profile, Profile) else Profile.parse(profile)
        return cls(chosen, codes, suppress_below, round_to)

    @property
    def warnings(self) -> list[str]:
        """Advice for whoever sets the rules (not for the published table)."""
        out = []
        if self.profile is not Profile.INTERNAL and len(self.confidential) == 1:
            out.append(
                "Only one country is confidential: anyone who knows that can read its "
                "figures from the 'other countries' row. Pool at least two countries."
            )
        if self.rounds and self.suppresses and 2 * self.suppress_below > self.round_to:
            out.append(
                f"Counts are rounded to {self.round_to} with counts under "
                f"{self.suppress_below} hidden: a published share can then give back a count "
                "(retour.disclosure.estimates). Round to at least twice the threshold "
                "(RETOUR_ROUND_TO >= 2 x RETOUR_SUPPRESS_BELOW, as 10 and 5) or not at all."
            )
        return out

    @property
    def pools(self) -> bool:
        """Whether this profile pools confidential countries (and there are any)."""
        return self.profile is not Profile.INTERNAL and bool(self.confidential)

    @property
    def suppresses(self) -> bool:
        """Whether this profile hides small counts."""
        return self.profile is Profile.PUBLIC and self.suppress_below > 1

    @property
    def rounds(self) -> bool:
        """Whether this profile rounds counts."""
        return self.profile is Profile.PUBLIC and self.round_to > 1


def _check_codes(codes: frozenset[str]) -> None:
    unknown = sorted(codes - country_codes())
    if unknown:
        listed = ", ".join(repr(c) for c in unknown)
        raise UsageError(
            N_("Unknown country code(s) in the confidential list: {codes}."),
            hint=N_(
                "Use ISO 3166-1 alpha-2 codes such as MA or DZ (or XK, STLS, UNK); "
                "fix the `confidential` setting or the {field} option."
            ),
            field=Field.CONFIDENTIAL,
            codes=listed,
        )


def pool_confidential(
    frame: pl.DataFrame,
    column: str,
    rules: DisclosureRules,
    *,
    counts: Sequence[str] = ("n",),
) -> pl.DataFrame:
    """Replace confidential codes in ``column`` by :data:`OTHER_COUNTRIES` and re-aggregate.

    ``frame`` holds dimension columns and the count columns ``counts``; after replacing, the
    rows are grouped by every non-count column and the counts summed, in first-seen order.
    ``column`` is returned as String. Under ``internal``, or with an empty list, the frame
    is returned unchanged. Totals are preserved exactly.
    """
    if not rules.pools:
        return frame
    if column not in frame.columns:
        raise ValueError(f"pool_confidential: no column {column!r} in {frame.columns}")
    missing = [c for c in counts if c not in frame.columns]
    if missing:
        raise ValueError(f"pool_confidential: no count column(s) {missing}")
    keys = [c for c in frame.columns if c not in counts]
    country = pl.col(column).cast(pl.String)
    pooled = frame.with_columns(
        pl.when(country.is_in(sorted(rules.confidential)))
        .then(pl.lit(OTHER_COUNTRIES))
        .otherwise(country)
        .alias(column)
    )
    summed = pooled.group_by(keys, maintain_order=True).agg(pl.col(c).sum() for c in counts)
    return summed.select(frame.columns)
