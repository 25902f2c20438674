"""Properties: valid datasets round-trip exactly; corruptions give violations, no traceback."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retour.domain.codes import VERSION_2_TABLES, Table
from retour.domain.dataset import Dataset
from retour.domain.errors import RetourError
from retour.exchange import load, write_dataset
from retour.exchange.writer import canonical_frame

from ..strategies.datasets import datasets

TODAY = dt.date(2024, 6, 1)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_same(a: Dataset, b: Dataset) -> None:
    for table in Table:
        assert canonical_frame(a, table).equals(canonical_frame(b, table)), table
    assert a.meta == b.meta


@FAST
@given(datasets())
def test_any_valid_dataset_round_trips(dataset: Dataset) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        write_dataset(dataset, Path(tmp))
        assert_same(load(Path(tmp), today=TODAY), dataset)


CORRUPTIONS = st.sampled_from(["flip", "insert", "delete", "quote", "huge", "type", "truncate"])


def corrupt(data: bytes, how: str, at: int, junk: bytes) -> bytes:
    at = at % max(1, len(data))
    if how == "flip":
        return data[:at] + bytes([data[at] ^ 0x80]) + data[at + 1 :] if data else junk
    if how == "insert":
        return data[:at] + junk + data[at:]
    if how == "delete":
        return data[:at] + data[at + len(junk) :]
    if how == "quote":
        return data[:at] + b'"' + data[at:]
    if how == "huge":
        return data[:at] + b"x" * 200_000 + data[at:]
    if how == "type":
        return data.replace(b"2020", b"20x0", 1).replace(b",1", b",one", 1)
    return data[:at]


@FAST
@given(
    datasets(),
    st.sampled_from([t for t in Table if t not in VERSION_2_TABLES]),  # datasets() is retour/1
    CORRUPTIONS,
    st.integers(0, 10_000),
    st.binary(min_size=1, max_size=8),
)
def test_corruption_gives_messages_never_a_traceback(
    dataset: Dataset, table: Table, how: str, at: int, junk: bytes
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_dataset(dataset, folder)
        path = folder / f"{table.value}.csv"
        path.write_bytes(corrupt(path.read_bytes(), how, at, junk))
        try:
            load(folder, today=TODAY)
        except RetourError as exc:
            assert str(exc)
            # A broken cases.csv may leave other tables' case_ids without a case.
            files = {f"{table.value}.csv"} | (
                {f"{t.value}.csv" for t in Table} if table is Table.CASES else set()
            )
            for line in getattr(exc, "lines", lambda: [])():
                assert line.split(":", 1)[0] in files, line
