"""Wrong passwords from a process of its own, in parallel threads, at an agreed moment.

Run as ``python login_worker.py THREADS START``, with the settings in the environment;
prints one JSON object: how many attempts were refused as locked and how many as wrong.
Not a test module: the lockout tests start several of these at once.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def main() -> None:
    threads, start = int(sys.argv[1]), float(sys.argv[2])
    from retour.config import load_settings
    from retour.service import accounts
    from retour.service.context import Retour

    app = Retour(settings=load_settings())
    app.database()
    barrier = threading.Barrier(threads)

    def attempt(_: int) -> str:
        barrier.wait()
        try:
            accounts.authenticate(app, "analyst", "not the password at all")
        except accounts.LoginRefused as refused:
            return "locked" if refused.locked_until else "wrong"
        return "signed in"

    time.sleep(max(0.0, start - time.time()))
    with ThreadPoolExecutor(threads) as pool:
        outcomes = list(pool.map(attempt, range(threads)))
    app.close()
    print(json.dumps({o: outcomes.count(o) for o in sorted(set(outcomes))}))


if __name__ == "__main__":
    main()
