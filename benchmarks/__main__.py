"""``python -m benchmarks [--quick] [--only gp,hmm] [--roofline] [--out FILE.md]``: the
benchmark tables (``--roofline``: and the DSP kernels against the machine's peaks,
``benchmarks/roofline.py``).

``--out docs/performance.md`` replaces the generated block of the performance page (between
its ``<!-- benchmarks:start`` and ``<!-- benchmarks:end -->`` lines); any other file is
written whole.  The modules of :data:`ON_DEMAND` run only when ``--only`` names them.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib
import importlib.metadata as md
import os
import platform
import sys
import time

from . import COLUMNS

FAMILIES = ("gp", "bo", "hmm", "dsp")
#: not part of the default set: BO with pruning (XGBoost) and the large-n GP against
#: GPyTorch (long runs; ``benchmarks/gp_scale.py``, each row in a fresh process), and the
#: Python cost of one kernel call (``benchmarks/overhead.py``), and the rest of
#: scipy.signal (``benchmarks/dsp_toolbox.py``)
ON_DEMAND = ("pruning", "gp_scale", "overhead", "dsp_toolbox")
# the generated block of docs/performance.md (the markers' lines themselves are kept)
START = "<!-- benchmarks:start"
END = "<!-- benchmarks:end -->"


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _versions() -> str:
    names = (
        "pyjl",
        "numpy",
        "scipy",
        "scikit-learn",
        "hmmlearn",
        "optuna",
        "scikit-optimize",
        "torch",
    )
    parts = []
    for name in names:
        try:
            parts.append(f"{name} {md.version(name)}")
        except md.PackageNotFoundError:
            pass
    return ", ".join(parts)


def header() -> str:
    """Machine, versions and date, as the performance page states them."""
    import pyjl

    return (
        f"Measured {_dt.date.today().isoformat()} on {_cpu_name()}, "
        f"{len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}, "
        f"pyjl threads {pyjl.get_num_threads()}; {_versions()}."
    )


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return "" if value is None else str(value)


def table(rows: list[dict]) -> str:
    """Rows as a markdown table; ``ratio`` is peer time over pyjl time (>1: pyjl faster)."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(_fmt(row.get(c)) for c in COLUMNS) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="smaller sizes and repeats")
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated families (default {','.join(FAMILIES)}; "
        f"on demand: {','.join(ON_DEMAND)})",
    )
    parser.add_argument(
        "--roofline",
        action="store_true",
        help="also the machine's multiply-add and copy peaks and each DSP kernel's share",
    )
    parser.add_argument(
        "--out",
        default=None,
        help="write the markdown here too (docs/performance.md: its generated block)",
    )
    args = parser.parse_args(argv)
    chosen = [f for f in (args.only.split(",") if args.only else FAMILIES) if f]
    sections = [header(), ""]
    for family in chosen:
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{family}")
        except ImportError as exc:
            print(f"{family}: skipped ({exc})", file=sys.stderr)
            continue
        rows = module.run(quick=args.quick)
        sections += [f"### {family} ({time.perf_counter() - start:.0f} s)", "", table(rows), ""]
        print("\n".join(sections[-4:]), flush=True)
    if args.roofline:
        from . import roofline

        start = time.perf_counter()
        text = roofline.markdown(roofline.run(quick=args.quick))
        sections += [f"### roofline ({time.perf_counter() - start:.0f} s)", "", text, ""]
        print("\n".join(sections[-4:]), flush=True)
    if args.out:
        write_tables(args.out, "\n".join(sections))
    return 0


def write_tables(path: str, text: str) -> None:
    """Write ``text`` to ``path``; where ``path`` already holds a generated block
    (between :data:`START` and :data:`END`, as ``docs/performance.md`` does), replace only
    that block and keep the prose around it."""
    try:
        with open(path, encoding="utf-8") as fh:
            old = fh.read()
    except FileNotFoundError:
        old = ""
    begin, end = old.find(START), old.find(END)
    if 0 <= begin < end:
        head = old[: old.index("\n", begin) + 1]
        text = head + text.rstrip("\n") + "\n" + old[end:]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text.rstrip("\n") + "\n")


if __name__ == "__main__":
    sys.exit(main())
