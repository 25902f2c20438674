"""What a published value is, and the check every renderer makes before it renders one.

A *published value* is what :mod:`retour.disclosure` made of a result: a
:class:`~retour.disclosure.table.DisclosedTable` or
:class:`~retour.disclosure.estimates.DisclosedEstimates`, or an answer made only of such values
(a figures answer, the press workbook's tables, an assessment), each carrying the
:class:`~retour.disclosure.profiles.DisclosureRules` it was published under. Renderers
(:mod:`retour.reports`) and faces type their parameters with :class:`Published` and call
:func:`accept` on what they are given: a raw result frame fails the type check (mypy) and, at
run time, :func:`accept` (a ``TypeError``, a programming error, not a user's).

``RETOUR_PUBLISHED_TRACE`` names a file to which :func:`accept` appends one line per value
rendered (``renderer<TAB>type``): no figure, no code, no name, only which kind of published
value each output was made from. The output-walk test (``tests/test_output_walk.py``) reads
it for every command, page and route.
"""

from __future__ import annotations

import os
from typing import Final, Protocol, TypeVar, runtime_checkable

from retour.disclosure.profiles import DisclosureRules
from retour.domain.language import Language

#: The environment variable naming the trace file of :func:`accept`.
TRACE_VARIABLE: Final = "RETOUR_PUBLISHED_TRACE"


@runtime_checkable
class Published(Protocol):
    """A value that went through disclosure: it states the rules it was published under."""

    @property
    def rules(self) -> DisclosureRules: ...


@runtime_checkable
class Tabular(Published, Protocol):
    """A published answer that lays itself out as one table for CSV (the cases' conditions,
    whose rows are month ends or countries): a header and rows of what it publishes."""

    def csv_table(self, names: Language | None) -> tuple[list[str], list[list[object]]]: ...


P = TypeVar("P", bound=Published)


def accept(value: P, renderer: str) -> P:
    """``value``, checked to be published, for ``renderer`` (``csv``, ``json``, ``table``,
    ``html``, ``xlsx`` …); noted in the trace file when one is named.

    Raises ``TypeError`` for anything else (a frame, a dict): every output is made from a
    published value, and a renderer handed something else is a bug to fix, not to render.
    """
    rules = getattr(value, "rules", None)
    if not isinstance(value, Published) or not isinstance(rules, DisclosureRules):
        raise TypeError(
            f"{renderer}: {type(value).__name__} is not a published value; render only what "
            "retour.disclosure made (disclose_table, disclose_estimates)."
        )
    trace = os.environ.get(TRACE_VARIABLE)
    if trace:
        with open(trace, "a", encoding="utf-8") as out:
            out.write(f"{renderer}\t{type(value).__name__}\n")
    return value
