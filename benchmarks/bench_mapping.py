"""Benchmark: a mapped import of 1,000,000 requests in a source's style against the direct import.

The dataset of `datagen.py` (fixed seed) is written twice: in the exchange format, and as a
Dutch source exports it (`;`, Windows-1252, dd-mm-yyyy, Dutch headers and labels, country
names, an officer's name and a location as extra columns) with the mapping that reads it.
Each is imported into a new SQLite database in a fresh process, in the same run, so the
ratio can be read on any machine. Targets (issue #12): the mapped import at least 70% of
the direct import's rows/s, peak memory at most 2 GB.

    .venv/bin/python benchmarks/bench_mapping.py [--requests N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from child import measure  # noqa: E402
from datagen import make  # noqa: E402
from retour.exchange import write_dataset  # noqa: E402
from retour.exchange.source_style import SourceStyle, write_source  # noqa: E402

IMPORT = """
import sys, datetime as dt
from pathlib import Path
from retour.service.context import Retour
from retour.service import datasets
mapping = Path(sys.argv[2]) if len(sys.argv) > 2 else None
with Retour.from_environment() as app:
    datasets.import_dataset(app, Path(sys.argv[1]), mapping=mapping, today=dt.date(2024, 6, 1))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="retour-bench-mapping-"))
    dataset = make(args.requests)
    rows = sum(dataset.counts().values())
    write_dataset(dataset, work / "direct")
    style = SourceStyle(language="nl", delimiter=";", encoding="cp1252", date_format="%d-%m-%Y",
                        countries="names", extra_columns=True)  # fmt: skip
    (work / "M.toml").write_text(write_source(dataset, work / "source", style), encoding="utf-8")
    del dataset
    results = {}
    for name, extra in (("direct", []), ("mapped", [str(work / "M.toml")])):
        env = {**os.environ, "RETOUR_DB": str(work / f"{name}.sqlite")}
        env.pop("RETOUR_SECRET", None)
        path = work / ("direct" if name == "direct" else "source")
        results[name] = measure([sys.executable, "-c", IMPORT, str(path), *extra], env)
    direct, mapped = results["direct"], results["mapped"]
    result = {
        "rows": rows,
        "direct_s": direct["wall_s"],
        "direct_rows_per_s": round(rows / direct["wall_s"]),
        "direct_cpu_s": direct["cpu_s"],
        "direct_peak_mb": direct["peak_mb"],
        "mapped_s": mapped["wall_s"],
        "mapped_rows_per_s": round(rows / mapped["wall_s"]),
        "mapped_cpu_s": mapped["cpu_s"],
        "mapped_peak_mb": mapped["peak_mb"],
        "mapped_vs_direct": round(direct["wall_s"] / mapped["wall_s"], 2),
        "mapped_vs_direct_cpu": round(direct["cpu_s"] / mapped["cpu_s"], 2),
        "target_ratio": 0.7,
        "target_peak_mb": 2048,
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(result, indent=2))
    ok = result["mapped_vs_direct"] >= 0.7 and result["mapped_peak_mb"] <= 2048
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()
