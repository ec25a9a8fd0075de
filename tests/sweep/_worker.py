"""Sweep worker: reads ``[module, case_id]`` lines on stdin, answers one JSON line each.

The protocol uses a private copy of file descriptor 1; the process's own fd 1 is pointed
at stderr so that anything a call prints (progress bars, C-level output) stays out of it.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    from sweep import cases, judge

    channel.write("ready\n")
    for line in sys.stdin:
        module, case_id = json.loads(line)
        try:
            record = judge.run(cases.lookup(module, case_id))
        except Exception as exc:  # noqa: BLE001 - reported, never fatal to the worker
            record = {
                "outcome": "harness_error",
                "exc": type(exc).__name__,
                "message": str(exc).splitlines()[0][:300] if str(exc) else "",
            }
        record.update(module=module, case=case_id)
        channel.write(json.dumps(record) + "\n")
        cases.cleanup()


if __name__ == "__main__":
    main()
