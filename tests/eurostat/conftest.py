"""Where the real Eurostat files are, and a small valid migr_eirtn table in all three forms."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
EUROSTAT_DW = REPO_ROOT.parent / "shared" / "data" / "real" / "eurostat_dw"

#: migr_eirtn in SDMX 2.1 TSV as the API writes it: trailing spaces in the header and in
#: cells, flags after a space, ": " for not available (with a flag too), Greece as EL.
TSV = (
    "freq,citizen,age,sex,unit,c_dest,geo\\TIME_PERIOD\t2019 \t2020 \n"
    "A,MA,TOTAL,T,PER,TOTAL,NL\t1420 \t635 d\n"
    "A,MA,Y18-34,M,PER,TOTAL,NL\t: \t: c\n"
    "A,EL,TOTAL,T,PER,TOTAL,UK\t5 p\t0 \n"
    "A,XK,TOTAL,T,PER,TOTAL,EL\t25 \t30 e\n"
    "A,STLS,TOTAL,T,PER,TOTAL,EU27_2020\t1234 \t: \n"
    "A,TOTAL,TOTAL,T,PER,TOTAL,EU27_2020\t412345 b\t398000 ep\n"
)

#: The same observations in SDMX-CSV.
SDMX_CSV = """\
DATAFLOW,LAST UPDATE,freq,citizen,age,sex,unit,c_dest,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG
ESTAT:MIGR_EIRTN(1.0),23/04/24 23:00:00,A,MA,TOTAL,T,PER,TOTAL,NL,2019,1420,
ESTAT:MIGR_EIRTN(1.0),23/04/24 23:00:00,A,MA,TOTAL,T,PER,TOTAL,NL,2020,635,d
ESTAT:MIGR_EIRTN(1.0),23/04/24 23:00:00,A,MA,Y18-34,M,PER,TOTAL,NL,2019,,
ESTAT:MIGR_EIRTN(1.0),23/04/24 23:00:00,A,MA,Y18-34,M,PER,TOTAL,NL,2020,,c
ESTAT:MIGR_EIRTN(1.0),23/04/24 23:00:00,A,EL,TOTAL,T,PER,TOTAL,UK,2019,5,p
ESTAT:MIGR_EIRTN(1.0),23/04/24 23:00:00,A,EL,TOTAL,T,PER,TOTAL,UK,2020,0,
ESTAT:MIGR_EIRTN(1.0),23/04/24 23:00:00,A,XK,TOTAL,T,PER,TOTAL,EL,2019,25,
ESTAT:MIGR_EIRTN(1.0),23/04/24 23:00:00,A,XK,TOTAL,T,PER,TOTAL,EL,2020,30,e
ESTAT:MIGR_EIRTN(1.0),23/04/24 23:00:00,A,STLS,TOTAL,T,PER,TOTAL,EU27_2020,2019,1234,
ESTAT:MIGR_EIRTN(1.0),23/04/24 23:00:00,A,STLS,TOTAL,T,PER,TOTAL,EU27_2020,2020,,
ESTAT:MIGR_EIRTN(1.0),23/04/24 23:00:00,A,TOTAL,TOTAL,T,PER,TOTAL,EU27_2020,2019,412345,b
ESTAT:MIGR_EIRTN(1.0),23/04/24 23:00:00,A,TOTAL,TOTAL,T,PER,TOTAL,EU27_2020,2020,398000,ep
"""

#: The same observations as the Data Explorer exports them: labels, thousands separators.
KOSOVO = "Kosovo (under United Nations Security Council Resolution 1244/99)"
EU27 = "European Union - 27 countries (from 2020)"
EXPLORER_CSV = f"""\
"TIME","GEO","CITIZEN","AGE","SEX","UNIT","C_DEST","Value","Flag and Footnotes"
"2019","Netherlands","Morocco","Total","Total","Person","Total","1,420",""
"2020","Netherlands","Morocco","Total","Total","Person","Total","635","d"
"2019","Netherlands","Morocco","From 18 to 34 years","Males","Person","Total",":",""
"2020","Netherlands","Morocco","From 18 to 34 years","Males","Person","Total",":","c"
"2019","United Kingdom","Greece","Total","Total","Person","Total","5","p"
"2020","United Kingdom","Greece","Total","Total","Person","Total","0",""
"2019","Greece","{KOSOVO}","Total","Total","Person","Total","25",""
"2020","Greece","{KOSOVO}","Total","Total","Person","Total","30","e"
"2019","{EU27}","Stateless","Total","Total","Person","Total","1,234",""
"2020","{EU27}","Stateless","Total","Total","Person","Total",":",""
"2019","{EU27}","Total","Total","Total","Person","Total","412,345","b"
"2020","{EU27}","Total","Total","Total","Person","Total","398,000","ep"
"""

#: What all three read to: (geo, citizen, age, sex, period, value, flag); unit PER, c_dest TOTAL.
EXPECTED = [
    ("NL", "MA", "TOTAL", "T", "2019", 1420, None),
    ("NL", "MA", "TOTAL", "T", "2020", 635, "d"),
    ("NL", "MA", "Y18-34", "M", "2019", None, None),
    ("NL", "MA", "Y18-34", "M", "2020", None, "c"),
    ("UK", "GR", "TOTAL", "T", "2019", 5, "p"),
    ("UK", "GR", "TOTAL", "T", "2020", 0, None),
    ("EL", "XK", "TOTAL", "T", "2019", 25, None),
    ("EL", "XK", "TOTAL", "T", "2020", 30, "e"),
    ("EU27_2020", "STLS", "TOTAL", "T", "2019", 1234, None),
    ("EU27_2020", "STLS", "TOTAL", "T", "2020", None, None),
    ("EU27_2020", "TOTAL", "TOTAL", "T", "2019", 412345, "b"),
    ("EU27_2020", "TOTAL", "TOTAL", "T", "2020", 398000, "ep"),
]


@pytest.fixture(scope="session")
def eurostat_dw() -> Path:
    """The real Data Explorer exports, beside the repository in ../shared. Never skipped."""
    if not EUROSTAT_DW.is_dir():
        pytest.fail(f"the real Eurostat files are missing: {EUROSTAT_DW}")
    return EUROSTAT_DW


@pytest.fixture
def valid_tsv() -> str:
    return TSV


@pytest.fixture
def sdmx_csv() -> str:
    return SDMX_CSV


@pytest.fixture
def explorer_csv() -> str:
    return EXPLORER_CSV


@pytest.fixture
def expected_rows() -> list[tuple[str, str, str, str, str, int | None, str | None]]:
    return EXPECTED
