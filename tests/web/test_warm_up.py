"""The country pages share one fit of every country's index, computed once per state of
the data; the web computes the overview before its first visitor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from retour.service import cooperation, instruments
from retour.service.accounts import Role
from retour.service.context import Retour
from retour.service.instruments import InstrumentForm
from retour.web.views import Views


def counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """Count the calls of ``module.name`` (which still does its work)."""
    calls: list[int] = []
    real = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_country_views_share_one_fit_that_follows_the_data(
    loaded: Retour, monkeypatch: pytest.MonkeyPatch
) -> None:
    cooperation._shared.clear()
    fits = counting(monkeypatch, cooperation, "assess")
    first = cooperation.country_view(loaded, "NG")
    cooperation.country_view(loaded, "AF")
    assert len(fits) == 1  # the second country reuses the fit of all countries
    cooperation.country_view(loaded, "NG", profile="internal")  # nothing pooled: its own fit
    assert len(fits) == 2
    form = InstrumentForm(
        country="NG", kind="visa_measure", level="eu", status="in_force",
        start_on="2022-03-01", title="Visa measures",
    )  # fmt: skip
    instruments.add_instrument(loaded, form, actor="tester")
    again = cooperation.country_view(loaded, "NG")  # a new instrument: fitted again
    assert len(fits) == 3
    assert "Visa measures" in again.effects["title"].to_list()
    assert "Visa measures" not in first.effects["title"].to_list()
    assert again.index.equals(first.index)  # the same requests: the same index


def test_the_warm_up_computes_what_the_first_visitor_needs(
    web: object,
    client_for: Callable[[Role | None], TestClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cooperation._shared.clear()
    views: Views = web.state.views  # type: ignore[attr-defined]
    views.warm_up()
    fits = counting(monkeypatch, cooperation, "assess")
    periods = counting(monkeypatch, cooperation, "assess_period")
    viewer = client_for(Role.VIEWER)
    assert viewer.get("/").status_code == 200
    assert viewer.get("/countries/NG").status_code == 200
    assert (len(fits), len(periods)) == (0, 0)  # nothing left to compute for them
