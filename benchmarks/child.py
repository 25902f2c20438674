"""What one child process of a benchmark cost: wall and CPU seconds and peak memory."""

from __future__ import annotations

import os
import subprocess
import time


def measure(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall and CPU seconds and peak RSS (MB) of one child process; exits when it fails."""
    start = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        assert child.stderr is not None
        raise SystemExit(f"{' '.join(args)} failed: {child.stderr.read().decode()}")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mb": round(usage.ru_maxrss / 1024),
    }
