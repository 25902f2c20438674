"""A fitted cooperation index taken apart into plain parts (a frame and JSON values) and put
back together exactly, for the cache of fitted indexes (:mod:`retour.service.index_cache`);
never a pickle. A part of the wrong shape is a :class:`~retour.domain.parts.PartsError`,
which the cache answers by fitting again: no reader ever sees it."""

from __future__ import annotations

from typing import Final

from retour.analysis.index import CooperationIndex
from retour.analysis.index_model import IndexOptions, ModelSummary
from retour.analysis.periods import Granularity
from retour.domain.parts import Json, Parts, PartsError

#: The layout of an entry's parts; another layout is a miss.
VERSION: Final = "cooperation-index-1"


def index_to_parts(index: CooperationIndex) -> Parts:
    """The index as plain parts: its table as a frame, everything else as JSON values."""
    meta: dict[str, Json] = {
        "version": VERSION,
        "granularity": index.granularity.value,
        "kind": index.kind,
        "as_of": index.as_of.isoformat(),
        "options": _options_json(index.options),
        "models": [_model_json(m) for m in index.models],
    }
    return Parts(meta, {}, {"table": index.table})


def index_from_parts(parts: Parts) -> CooperationIndex:
    """The index :func:`index_to_parts` took apart, exactly; :class:`PartsError` if the
    parts do not make one."""
    if parts.value("version", str) != VERSION:
        raise PartsError("another layout of the index")
    try:
        granularity = Granularity(parts.value("granularity", str))
        options = _options(parts.value("options", dict))
        models = tuple(_model(m) for m in parts.value("models", list))
    except (TypeError, ValueError) as exc:  # a value of the wrong shape or out of range
        raise PartsError(f"the index's settings or models: {exc}") from exc
    return CooperationIndex(
        table=parts.frame("table"),
        granularity=granularity,
        kind=parts.value("kind", str),
        as_of=parts.day("as_of"),
        options=options,
        models=models,
    )


def _options_json(options: IndexOptions) -> dict[str, Json]:
    return {
        "level": options.level,
        "horizon_days": options.horizon_days,
        "breaks": list(options.breaks),
        "min_requests": options.min_requests,
        "max_width": options.max_width,
    }


def _options(values: dict[str, Json]) -> IndexOptions:
    held = Parts(values)
    return IndexOptions(
        level=held.value("level", float),
        horizon_days=held.value("horizon_days", int),
        breaks=held.counts("breaks"),
        min_requests=held.value("min_requests", int),
        max_width=held.value("max_width", float),
    )


def _model_json(model: ModelSummary) -> dict[str, Json]:
    return {
        "name": model.name,
        "levels": list(model.levels),
        "sd": list(model.sd),
        "coefficients": dict(model.coefficients),
        "converged": model.converged,
        "iterations": model.iterations,
        "slope_sd": dict(model.slope_sd),
    }


def _model(value: Json) -> ModelSummary:
    if not isinstance(value, dict):
        raise PartsError("a model's summary is not a mapping")
    held = Parts(value)
    return ModelSummary(
        name=held.value("name", str),
        levels=held.texts("levels"),
        sd=tuple(_floats(held.value("sd", list))),
        coefficients=_named_floats(held.value("coefficients", dict)),
        converged=held.value("converged", bool),
        iterations=held.value("iterations", int),
        slope_sd=_named_floats(held.value("slope_sd", dict)),
    )


def _floats(values: list[Json]) -> list[float]:
    if not all(type(v) in (int, float) for v in values):
        raise PartsError("a list of numbers holds something else")
    return [float(v) for v in values]  # type: ignore[arg-type]


def _named_floats(values: dict[str, Json]) -> dict[str, float]:
    return dict(zip(values, _floats(list(values.values())), strict=True))
