"""Malformed files: every problem is listed as FILE:LINE, and nothing is returned."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retour.domain.errors import InputError
from retour.exchange.eurostat import MAX_PROBLEMS, EurostatFormatError, read_eurostat


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, dataset: str | None = None) -> list[str]:
    with pytest.raises(EurostatFormatError) as raised:
        read_eurostat(path, dataset=dataset)
    error = raised.value
    assert isinstance(error, InputError)
    assert str(error).startswith(error.problems[0])
    return error.problems


def line_of(problem: str, path: Path) -> int:
    prefix = f"{path}:"
    assert problem.startswith(prefix), problem
    return int(problem.removeprefix(prefix).split(":", 1)[0])


def replace_line(text: str, number: int, line: str) -> str:
    lines = text.splitlines()
    lines[number - 1] = line
    return "\n".join(lines) + "\n"


def test_tsv_problems_each_with_file_and_line(tmp_path: Path, valid_tsv: str) -> None:
    text = replace_line(valid_tsv, 2, "A,MA,TOTAL,T,PER,TOTAL,NL\t1420 ")  # one cell short
    text = replace_line(text, 3, "A,MA,Y18-34,M,PER,TOTAL,NL\tmany \t: c")  # not a number
    text = replace_line(text, 4, "A,ZZ,TOTAL,T,PER,TOTAL,UK\t5 p\t0 ")  # unknown citizen
    text = replace_line(text, 5, "A,XK,TOTAL,T,PER,NL\t25 \t30 e")  # key too short
    text = replace_line(
        text, 6, "A,STLS,TOTAL,T,PER,TOTAL,EU27_2020\t1234 x\t12.5 "
    )  # flag, decimal
    path = write(tmp_path / "migr_eirtn.tsv", text)
    problems = problems_of(path)
    assert [p.split(": ", 1)[0] for p in problems] == [
        f"{path}:2",
        f"{path}:3",
        f"{path}:4",
        f"{path}:5",
        f"{path}:6",
        f"{path}:6",
    ]
    assert "expected 3 tab-separated cells" in problems[0]
    assert "'many '" in problems[1]
    assert "unknown citizen code 'ZZ'" in problems[2]
    assert "should have 7 comma-separated codes" in problems[3]
    assert "'12.5 '" in problems[4] or "'12.5 '" in problems[5]
    assert any("unknown flag 'x'" in p for p in problems[4:])


def test_bad_period_in_tsv_header(tmp_path: Path, valid_tsv: str) -> None:
    text = valid_tsv.replace("2020 ", "2020-13", 1)
    problems = problems_of(write(tmp_path / "migr_eirtn.tsv", text))
    assert problems == [
        f"{tmp_path / 'migr_eirtn.tsv'}:1: bad period '2020-13' in the header "
        "(expected 2019 or 2019-Q1)"
    ]


def test_sdmx_csv_problems(tmp_path: Path, sdmx_csv: str) -> None:
    text = replace_line(sdmx_csv, 2, sdmx_csv.splitlines()[1] + ",extra")  # a field too many
    text = replace_line(text, 3, text.splitlines()[2].replace(",2020,", ",2020-Q5,"))  # period
    text = replace_line(text, 4, text.splitlines()[3].replace(",Y18-34,", ",y 18,"))  # bad code
    text = replace_line(text, 5, text.splitlines()[4].replace(",2020,,c", ",2020,n/a,c"))
    text = replace_line(text, 6, text.splitlines()[5].replace("MIGR_EIRTN", "MIGR_EIORD"))
    text += text.splitlines()[-1] + "\n"  # line 14 repeats line 13
    path = write(tmp_path / "data.csv", text)
    problems = problems_of(path)
    lines = [line_of(p, path) for p in problems]
    assert lines == [2, 3, 4, 5, 6, 14]
    assert "expected 12 comma-separated fields, found 13" in problems[0]
    assert "bad period '2020-Q5'" in problems[1]
    assert "unknown age code 'y 18'" in problems[2]
    assert "value 'n/a' is not a count" in problems[3]
    assert "DATAFLOW 'ESTAT:MIGR_EIORD(1.0)' is not migr_eirtn" in problems[4]
    assert "the same observation as line 13 (2020)" in problems[5]


def test_explorer_csv_unknown_labels_with_their_lines(tmp_path: Path, explorer_csv: str) -> None:
    text = explorer_csv.replace('"Morocco"', '"Atlantis"', 1)  # line 2
    text = text.replace('"Greece"', '"Graecia"', 1)  # line 6, the citizen
    text = text.replace('"1,234"', '"1.234"')  # line 10, a European thousands separator
    text = text.replace('"2019","Greece"', '"2019","Hellas"')  # line 8, the reporting state
    text += '"2019","Netherlands","Morocco","Total"\n'  # line 14: fields missing
    text += '"2019","Netherlands","Mor"occo","Total","Total","Person","Total","5",""\n'  # 15
    path = write(tmp_path / "migr_eirtn.csv", text)
    problems = problems_of(path)
    assert problems == [
        f"{path}:2: unknown CITIZEN label 'Atlantis'",
        f"{path}:6: unknown CITIZEN label 'Graecia'",
        f"{path}:8: unknown GEO label 'Hellas'",
        f"{path}:10: value '1.234' is not a count (thousands may be separated by ',') or ':'",
        f"{path}:14: expected 9 comma-separated fields, found 4",
        f'{path}:15: a quote (") is not where CSV allows it',
    ]


def test_at_most_200_problems_are_listed(tmp_path: Path) -> None:
    header = "freq,citizen,age,sex,unit,geo\\TIME_PERIOD\t2019 \n"
    body = "".join(f"A,MA,TOTAL,T,PER,NL\tx{i} \n" for i in range(450))
    with pytest.raises(EurostatFormatError) as raised:
        read_eurostat(write(tmp_path / "migr_eiord.tsv", header + body))
    assert len(raised.value.problems) == MAX_PROBLEMS
    assert raised.value.total == 450
    assert "(and 449 more problems)" in str(raised.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the file"),
        (b"", "empty"),
        (b"a;b;c\n1;2;3\n", "not a Eurostat table"),
        (b"\x1f\x8b\x08\x00garbage", "cannot be decompressed"),
        (b"freq,citizen,age,sex,unit,geo\\TIME_PERIOD\t2019 \n", "no observations"),
    ],
)
def test_files_that_cannot_be_read(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "migr_eiord.tsv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message) as raised:
        read_eurostat(path)
    assert not isinstance(raised.value, EurostatFormatError)
    assert raised.value.hint


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_eurostat(tmp_path)


def test_unknown_dimension_in_header(tmp_path: Path) -> None:
    text = "freq,citizen,reason,geo\\TIME_PERIOD\t2019 \nA,MA,X,NL\t1 \n"
    path = write(tmp_path / "migr_eiord.tsv", text)
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:1: unknown dimension 'reason'")


# -- random corruption ----------------------------------------------------------------------

NOISE = st.sampled_from(
    [
        b"\t",
        b",",
        b"\n",
        b"\r",
        b":",
        b" ",
        b"x",
        b'"',
        b"\\",
        b"9",
        b"-",
        b"Q",
        b"\x00",
        b"\xff",
        b"\xe9",
        b"EL",
        b"d",
    ]
)
EDIT = st.tuples(st.integers(min_value=0), st.sampled_from(["put", "insert", "delete"]), NOISE)


@pytest.mark.parametrize("form", ["tsv", "sdmx_csv", "explorer_csv"])
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=st.lists(EDIT, min_size=1, max_size=6), gz=st.booleans(), named=st.booleans())
def test_random_corruption_gives_only_input_errors(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    form: str,
    edits: list[tuple[int, str, bytes]],
    gz: bool,
    named: bool,
) -> None:
    """Whatever happens to a valid file, the reader answers with a table or an InputError."""
    valid = request.getfixturevalue("valid_tsv" if form == "tsv" else form)
    data = bytearray(str(valid).encode())
    for position, action, noise in edits:
        at = position % (len(data) + 1)
        if action == "put":
            data[at : at + len(noise)] = noise
        elif action == "insert":
            data[at:at] = noise
        else:
            del data[at : at + 1]
    path = tmp_path / ("migr_eirtn.txt" if named else "download.txt")
    path.write_bytes(gzip.compress(bytes(data)) if gz else bytes(data))
    try:
        table = read_eurostat(path, dataset=None if named else "migr_eirtn")
    except InputError as error:  # EurostatFormatError is one
        assert str(error)
        if isinstance(error, EurostatFormatError):
            assert error.problems
            assert all(p.startswith(f"{path}:") for p in error.problems)
        return
    frame = table.frame
    assert frame.height > 0
    assert frame["geo"].null_count() == frame["citizen"].null_count() == 0
    assert (frame["value"].drop_nulls() >= 0).all()
