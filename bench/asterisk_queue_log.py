"""Import throughput of the Asterisk queue_log adapter on a generated center (docs/asterisk-queue-log.md).

Generates `--agents` x `--days` of queue_log with the test simulator (tests/support/queue_log_sim.py: every call
path, a lunch pause per shift), imports it into a scratch landing folder and prints lines, seconds (wall and CPU),
lines per second and the import report. Not part of the test suite; run by hand:

    uv run python bench/asterisk_queue_log.py --agents 100 --days 30
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.support

from ingest.adapters.asterisk_queue_log import import_asterisk_queue_log  # noqa: E402
from tests.support.queue_log_sim import simulate_month  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--start-epoch", type=int, default=1772323200, help="first day, 00:00 UTC (2026-03-01)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "queue_log"
        started = time.perf_counter()
        log.write_text(simulate_month(args.agents, args.days, args.start_epoch).text())
        print(f"generated {log.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
        wall, cpu = time.perf_counter(), time.process_time()
        report = import_asterisk_queue_log([log], Path(scratch) / "landing", progress=None)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    for line in report.lines():
        print(line)
    print(
        f"{report.input_rows:,} lines: {wall:.1f} s wall ({report.input_rows / wall:,.0f} lines/s), "
        f"{cpu:.1f} s CPU ({report.input_rows / cpu:,.0f} lines per CPU-second)"
    )


if __name__ == "__main__":
    main()
