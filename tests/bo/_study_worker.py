"""A worker process for the multi-process storage tests (run as a script, not collected).

``python _study_worker.py STORAGE STUDY N_CALLS SLEEP LOG`` minimises a 3-D function on
the study (STORAGE: a path, an sqlite:/// or a postgresql:// URL), appending one JSON line
per finished evaluation to LOG (flushed before returning the value, so the log holds every
evaluation the process finished)."""

import json
import os
import sys
import time

from pyjl.bo import Integer, Real, Space, minimize

SPACE = Space({"x": Real(-2.0, 2.0), "y": Real(-2.0, 2.0), "k": Integer(0, 5)})


def main():
    db, study, n_calls, sleep, log = sys.argv[1:6]

    def f(p):
        time.sleep(float(sleep))
        v = (p["x"] - 0.3) ** 2 + (p["y"] + 0.2) ** 2 + 0.1 * abs(p["k"] - 2)
        with open(log, "a") as fh:
            fh.write(json.dumps({"params": p, "value": v, "pid": os.getpid()}) + "\n")
            fh.flush()
        return v

    minimize(
        f,
        SPACE,
        n_calls=int(n_calls),
        n_initial=6,
        storage=db,
        study=study,
        progress=False,
        seed=0,
    )


if __name__ == "__main__":
    main()
