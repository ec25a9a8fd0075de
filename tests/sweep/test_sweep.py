"""The bad-input sweep: every public callable x the input families, each call in a worker.

Asserts that no call crashes, hangs, ends in a bare (non-pyjl) exception, returns NaN or
inf without a pyjl warning, accepts input it must refuse, refuses valid input, returns a
result that differs from the plain float64 call, or refuses without naming the argument.
Set ``PYJL_SWEEP_REPORT=path`` to write the counts (calls, per outcome) as JSON.
"""

from __future__ import annotations

import os

import pytest

from . import cases, harness
from .cases_selftest import EXPECTED

_RECORDS: dict[str, list[dict]] = {}


@pytest.fixture(scope="module")
def pool():
    with harness.Pool() as workers:
        yield workers
    path = os.environ.get("PYJL_SWEEP_REPORT")
    if path and _RECORDS:
        harness.write_report([r for rs in _RECORDS.values() for r in rs], path)


def test_the_sweep_classifies_every_outcome():
    with harness.Pool(n_workers=2, timeout=3.0) as workers:
        records = workers.run([("selftest", c.id) for c in cases.table("selftest")])
    got = {r["case"].partition(" | ")[2]: r["outcome"] for r in records}
    assert got == {label: outcome for label, (_, _, outcome) in EXPECTED.items()}


REQUIRED = {
    "pyjl.gp.": [
        "GaussianProcess",
        "GaussianProcess.fit",
        "GaussianProcess.predict",
        "GaussianProcess.log_marginal_likelihood",
        "GaussianProcess.loo_log_predictive",
        "GaussianProcess.sample_y",
        "GaussianProcess.update",
        "RBF",
        "Matern12",
        "Matern32",
        "Matern52",
        "RationalQuadratic",
        "Periodic",
        "Linear",
        "White",
        "Constant",
        "Scaled",
        "Sum",
        "Product",
    ],
    "pyjl.bo.": [
        "Space",
        "Real",
        "Integer",
        "Categorical",
        "Optimizer",
        "Optimizer.ask",
        "Optimizer.tell",
        "Optimizer.tell_failed",
        "minimize",
        "random_search",
        "grid_search",
        "plots.convergence",
        "plots.history",
        "plots.posterior_1d",
    ],
    "pyjl.hmm.": [
        "HMM",
        "HMM.fit",
        "HMM.score",
        "HMM.predict",
        "HMM.predict_proba",
        "HMM.decode",
        "HMM.sample",
        "HMM.aic",
        "HMM.bic",
        "Normal",
        "MvNormal",
        "Exponential",
        "Poisson",
        "Gamma",
        "Categorical",
        "Mixture",
    ],
    "pyjl.data.": ["as_array", "read_arrow", "write_arrow"],
    "pyjl.": ["set_backend", "set_num_threads", "use_backend"],
}


def test_case_tables_cover_every_public_callable():
    import pyjl.dsp
    import pyjl.dsp.windows

    named = {c.callable for m in harness.MODULES for c in cases.table(m)}
    dsp = {f"pyjl.dsp.{n}" for n in pyjl.dsp.__all__ if n != "windows"}
    streaming = {"pyjl.dsp.SosFilter", "pyjl.dsp.FirFilter", "pyjl.dsp.Resampler"}
    windows = {f"pyjl.dsp.windows.{n}" for n in pyjl.dsp.windows.__all__}
    assert dsp - streaming <= named
    assert {f"{n}.process" for n in streaming} <= named
    assert windows <= named, sorted(windows - named)
    required = {prefix + name for prefix, names in REQUIRED.items() for name in names}
    assert required <= named, sorted(required - named)


@pytest.mark.slow
@pytest.mark.parametrize("module", harness.MODULES)
def test_bad_input_is_refused_clearly(pool, module):
    records = pool.run([(module, c.id) for c in cases.table(module)])
    _RECORDS[module] = records
    bad = harness.failures(records)
    if bad:
        counts = harness.summary(bad)["outcomes"]
        shown = harness.table(bad).splitlines()
        more = f"\n... and {len(shown) - 200} more" if len(shown) > 200 else ""
        pytest.fail(
            f"{len(bad)} of {len(records)} calls failed "
            f"({', '.join(f'{k}: {v}' for k, v in counts.items() if v)}):\n"
            + "\n".join(shown[:200])
            + more,
            pytrace=False,
        )
