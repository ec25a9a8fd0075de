"""A study writer for the dashboard tests (run as a script, not collected).

``python _writer.py STORAGE STUDY N_CALLS SLEEP`` runs a real :func:`pyjl.bo.minimize` on
a 2-D function, one evaluation at a time, each taking SLEEP seconds; the third evaluation
raises (its trial is stored failed, with the error text :data:`FAILURE`)."""

import sys
import time

from pyjl.bo import Real, Space, minimize

SPACE = Space({"x": Real(-2.0, 2.0), "y": Real(-1.0, 1.0)})
FAILURE = "objective diverged on purpose (dashboard test)"


def main():
    storage, study, n_calls, sleep = sys.argv[1:5]
    calls = [0]

    def f(p):
        calls[0] += 1
        time.sleep(float(sleep))
        if calls[0] == 3:
            raise RuntimeError(FAILURE)
        return (p["x"] - 0.3) ** 2 + 2.0 * (p["y"] + 0.2) ** 2

    minimize(
        f,
        SPACE,
        n_calls=int(n_calls),
        n_initial=4,
        storage=storage,
        study=study,
        progress=False,
        seed=0,
    )


if __name__ == "__main__":
    main()
