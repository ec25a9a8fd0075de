"""Side-by-side benchmarks of pyjl against the peers a user would otherwise pick.

Each family module (``benchmarks/gp.py``, ``hmm.py``, ``dsp.py``, ``bo.py``)
exposes ``run(quick: bool) -> list[dict]`` with the columns of :data:`COLUMNS`;
``python -m benchmarks --quick`` runs them all and prints (or writes, with
``--out docs/performance.md``, into that page's generated block) the tables with the
machine, versions and date.
"""

COLUMNS = ("benchmark", "size", "pyjl_s", "peer", "peer_s", "ratio", "note")
