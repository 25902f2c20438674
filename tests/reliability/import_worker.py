"""One import in a process of its own, started at an agreed moment (a race's other side).

Run as ``python import_worker.py DATABASE_URL FOLDER START`` (START: a time.time() value);
prints one JSON object: the outcome, the reasons of a refusal, and whether it waited.
Not a test module: the race tests start two of these at once.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> None:
    url, folder, start = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
    from retour.config import load_settings
    from retour.domain.errors import RetourError
    from retour.exchange import InvalidDatasetError
    from retour.service import datasets
    from retour.service.context import Retour

    app = Retour(settings=load_settings(db=url))
    app.database()  # opened (and its schema checked) before the start
    told: list[str] = []
    time.sleep(max(0.0, start - time.time()))
    outcome: dict[str, object]
    try:
        report = datasets.import_dataset(app, folder, progress=told.append)
        outcome = {"outcome": "stored", "import_id": report.result.import_id}
    except InvalidDatasetError as exc:
        reasons = sorted({v.reason.value for v in exc.violations})
        outcome = {"outcome": "refused", "reasons": reasons}
    except datasets.ImportRefusedError as exc:
        outcome = {"outcome": "refused", "reasons": [exc.reason]}
    except RetourError as exc:
        outcome = {"outcome": "error", "message": str(exc)}
    outcome["waited"] = datasets.WAITING in told
    app.close()
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
