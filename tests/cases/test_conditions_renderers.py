"""The cases' conditions through the one CSV and JSON renderer give what the command line's
own writers gave (copied here unchanged as the reference): the same CSV, byte for byte, and
the same JSON document once parsed; the command line's export is recorded once."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from retour.config import load_settings
from retour.disclosure import Language, Profile
from retour.reports import labels
from retour.reports.models import conditions_document
from retour.reports.tabular import csv_text, json_text
from retour.service import audit
from retour.service.conditions import ConditionFigures, condition_figures
from retour.service.context import Retour

from ..loading import Loaded
from .conftest import run


def _old_csv(answer: ConditionFigures, names: Language | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    cells = {(c["country"], c["column"]): c["display"] for c in answer.cells()}
    rows = answer.rows() if answer.by else [None]
    country_columns = ["country", *(["country_name"] if names else [])] if answer.by else []

    def key(row: str | None) -> list[object]:
        if not answer.by:
            return []
        code = row if row is not None else "total"
        named = [labels.country_name(row, names) if row else ""] if names else []
        return [code, *named]

    if answer.monthly:
        writer.writerow(["month_end", *country_columns, "all_green"])
        for month in answer.columns:
            for row in rows:
                writer.writerow([month, *key(row), cells[(row, month)]])
        return out.getvalue()
    writer.writerow([*country_columns, *answer.columns])
    for row in rows:
        writer.writerow([*key(row), *(cells.get((row, c), "") for c in answer.columns)])
    return out.getvalue()


def _old_json(answer: ConditionFigures, lang: Language, names: Language | None) -> Any:
    data = answer.as_json(lang)
    if names is not None:
        for cell in data["cells"]:  # type: ignore[attr-defined]
            code = cell["country"]
            cell["country_name"] = labels.country_name(code, names) if code else ""
    return json.loads(json.dumps(data, default=str))


QUESTIONS = [
    pytest.param({}, id="extraction-date-total"),
    pytest.param({"by": "country"}, id="by-country"),
    pytest.param({"monthly": "2022-2023", "by": "country"}, id="monthly-by-country"),
    pytest.param({"monthly": "2023"}, id="monthly-total"),
]


@pytest.mark.parametrize("profile", [Profile.INTERNAL, Profile.PUBLIC], ids=str)
@pytest.mark.parametrize("asked", QUESTIONS)
def test_conditions_csv_and_json_are_as_before(
    on_edges: Loaded, asked: dict[str, str], profile: Profile
) -> None:
    with Retour(settings=load_settings()) as context:
        answer = condition_figures(context, profile=profile, **asked)
    langs: list[tuple[Language, Language | None]] = [("nl", None), ("en", "en"), ("nl", "nl")]
    for lang, names in langs:
        new_csv = csv_text(answer, names=names)
        assert new_csv == _old_csv(answer, names)
        assert new_csv.count("\n") >= 2
        new_json = json.loads(json_text(conditions_document(answer, lang, names)))
        assert new_json == _old_json(answer, lang, names)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_command_lines_export_is_recorded_once(
    on_edges: Loaded, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    with Retour(settings=load_settings()) as context:
        before = max((e.id for e in audit.read_log(context, limit=1)), default=0)
    code, out, err = run(capsys, "figures", "conditions", "--by", "country", "--format", fmt)
    assert code == 0, err
    assert "country" in out
    with Retour(settings=load_settings()) as context:
        new = [e for e in audit.read_log(context) if e.id > before]
    assert [(e.action, e.via, e.subject) for e in new] == [("export_figures", "cli", "conditions")]
    assert new[0].detail["format"] == fmt
