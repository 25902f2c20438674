"""The structural CSV scan gives the same records whether or not a file has a quote in it:
its fast path for files without quotes (most exports) changes no result."""

from __future__ import annotations

import numpy as np
import pytest

from retour.exchange.csvscan import Scan, scan

PLAIN = b"a,b,c\n1,2,3\n\n4,5\n6,7,8,9\r\n10,11,12\n"
#: The same records, one field quoted (with a separator and a line feed inside it).
QUOTED = b'a,b,c\n1,"2",3\n\n4,5\n6,7,8,9\r\n10,11,12\n'


def _records(found: Scan) -> tuple[list[int], list[int], list[bool]]:
    return found.lines.tolist(), found.fields.tolist(), found.blank.tolist()


def test_a_file_without_quotes_scans_as_one_with_them() -> None:
    plain, quoted = scan(PLAIN), scan(QUOTED)
    assert _records(plain) == _records(quoted)
    assert _records(plain) == (
        [1, 2, 3, 4, 5, 6],
        [3, 3, 1, 2, 4, 3],
        [False] * 2 + [True] + [False] * 3,
    )
    assert plain.ok and quoted.ok


def test_a_quoted_line_feed_and_separator_stay_inside_their_field() -> None:
    found = scan(b'a,b\n"x,\ny",2\n3,4\n')
    assert _records(found) == ([1, 2, 4], [2, 2, 2], [False, False, False])


def test_broken_quoting_is_still_found() -> None:
    found = scan(b'a,b\n1,x"y\n2,3\n')
    assert [p.line for p in found.problems] == [2]


@pytest.mark.parametrize("data", [PLAIN, QUOTED, b"a;b\nxxxxxxxxxx;1\n"])
def test_long_fields_are_found_with_or_without_quotes(data: bytes) -> None:
    """Lengths in bytes, quotes and a line's CR included."""
    sep = ";" if b";" in data else ","
    lengths = [len(f) for line in data.split(b"\n") for f in line.split(sep.encode())]
    limit = sorted(lengths)[-1] - 1  # the longest field only is over it
    found = scan(data, separator=sep, max_field=limit)
    assert len(found.long_fields) == lengths.count(max(lengths))
    assert scan(data, separator=sep, max_field=max(lengths)).long_fields == ()


def test_many_records_without_quotes() -> None:
    rows = np.arange(10_000)
    data = b"id,n\n" + b"".join(b"%d,%d\n" % (i, i) for i in rows.tolist())
    found = scan(data, max_field=50)
    assert found.lines.tolist() == list(range(1, 10_002))
    assert set(found.fields.tolist()) == {2}
