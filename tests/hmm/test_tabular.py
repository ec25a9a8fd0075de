"""HMM observations from tables: a DataFrame / Arrow table is time x features, a Series
or one-column table is univariate; outputs with a time axis take the input's form
(index kept), scalars stay scalars -- and equal the NumPy results."""

from __future__ import annotations

import numpy as np
import pytest

from pyjl.exceptions import InputError
from pyjl.hmm import HMM, MvNormal, Normal

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
PI, A = [0.6, 0.4], [[0.9, 0.1], [0.2, 0.8]]
T = 60
Z = np.repeat([0, 1, 0, 1], T // 4)
X2 = np.c_[np.where(Z == 0, -2.0, 2.0), np.where(Z == 0, 10.0, 30.0)] + np.random.default_rng(
    31
).normal(size=(T, 2))
X1 = X2[:, 0].copy()
INDEX = pd.date_range("2024-01-01", periods=T, freq="h")


def _uni():
    return HMM(Normal([-2.0, 2.0], [1.0, 1.0]), 2, init="given", startprob=PI, transmat=A)


def _multi():
    return HMM(
        MvNormal([[-2.0, 10.0], [2.0, 30.0]], [[1.0, 1.0], [1.0, 1.0]], "diag"),
        2,
        init="given",
        startprob=PI,
        transmat=A,
    )


UNI = {
    "series": lambda: pd.Series(X1, index=INDEX, name="price"),
    "frame_1col": lambda: pd.DataFrame({"price": X1}, index=INDEX),
    "arrow_array": lambda: pa.array(X1),
    "arrow_chunked": lambda: pa.chunked_array([X1[:25], X1[25:]]),
    "arrow_table_1col": lambda: pa.table({"price": X1}),
    "arrow_batch_1col": lambda: pa.RecordBatch.from_pydict({"price": X1}),
}
MULTI = {
    "frame": lambda: pd.DataFrame(X2, index=INDEX, columns=["a", "b"]),
    "arrow_table": lambda: pa.table({"a": X2[:, 0], "b": X2[:, 1]}),
    "arrow_batch": lambda: pa.RecordBatch.from_pydict({"a": X2[:, 0], "b": X2[:, 1]}),
}


def _check_forms(model, data, ref):
    kind = type(data).__module__.partition(".")[0]
    path, P = model.predict(data), model.predict_proba(data)
    lp, dpath = model.decode(data)
    ll, post = model.score_samples(data)
    want_path, want_P = ref.predict(ref._x), ref.predict_proba(ref._x)
    assert model.score(data) == pytest.approx(ref.score(ref._x), rel=1e-13)
    assert isinstance(model.score(data), float) and isinstance(lp, float)
    assert lp == pytest.approx(ref.decode(ref._x)[0], rel=1e-13)
    assert ll == pytest.approx(ref.score(ref._x), rel=1e-13)
    if kind == "pandas":
        for s in (path, dpath):
            assert isinstance(s, pd.Series) and s.index.equals(INDEX) and s.name == "state"
            np.testing.assert_array_equal(s.to_numpy(), want_path)
        for f in (P, post):
            assert isinstance(f, pd.DataFrame) and f.index.equals(INDEX)
            assert list(f.columns) == [0, 1]
            np.testing.assert_allclose(f.to_numpy(), want_P, rtol=1e-13)
    else:
        for s in (path, dpath):
            assert isinstance(s, pa.Array)
            np.testing.assert_array_equal(s.to_numpy(), want_path)
        for f in (P, post):
            assert isinstance(f, pa.Table) and f.column_names == ["0", "1"]
            np.testing.assert_allclose(
                np.column_stack([c.to_numpy() for c in f.columns]), want_P, rtol=1e-13
            )
    np.testing.assert_array_equal(want_path, Z)  # the reference is right


@pytest.mark.parametrize("form", sorted(UNI))
def test_univariate_tables(form):
    ref = _uni()
    ref._x = X1
    _check_forms(_uni(), UNI[form](), ref)


@pytest.mark.parametrize("form", sorted(MULTI))
def test_multivariate_tables_are_time_by_features(form):
    ref = _multi()
    ref._x = X2
    _check_forms(_multi(), MULTI[form](), ref)


@pytest.mark.parametrize("form", ["frame", "arrow_table"])
def test_fit_on_a_table_equals_fit_on_numpy(form):
    a = HMM(MvNormal(covariance_type="diag"), 2, n_iter=20, random_state=0).fit(MULTI[form]())
    b = HMM(MvNormal(covariance_type="diag"), 2, n_iter=20, random_state=0).fit(X2)
    np.testing.assert_allclose(a.monitor_.history, b.monitor_.history, rtol=1e-12)
    np.testing.assert_allclose(a.emission_.mean, b.emission_.mean, rtol=1e-12)


def _fitted_on(data):
    return HMM(MvNormal(covariance_type="diag"), 2, n_iter=5, random_state=0).fit(data)


AFTER_FIT = {
    "score": lambda m, x: m.score(x),
    "score_sequences": lambda m, x: m.score_sequences(x),
    "score_samples": lambda m, x: m.score_samples(x),
    "predict": lambda m, x: m.predict(x),
    "predict_proba": lambda m, x: m.predict_proba(x),
    "decode": lambda m, x: m.decode(x),
    "aic": lambda m, x: m.aic(x),
    "bic": lambda m, x: m.bic(x),
}


@pytest.mark.parametrize("form", ["frame", "arrow_table"])
def test_feature_names_as_scikit_learn(form):
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    data = MULTI[form]()
    model, ref = _fitted_on(data), preprocessing.StandardScaler().fit(MULTI["frame"]())
    np.testing.assert_array_equal(model.feature_names_in_, ref.feature_names_in_)
    assert model.n_features_in_ == ref.n_features_in_ == 2
    assert model.score(data) == pytest.approx(model.score(X2), rel=1e-13)
    refit = model.fit(X2)  # a refit without names drops them, as scikit-learn's
    assert not hasattr(refit, "feature_names_in_") and refit.n_features_in_ == 2


@pytest.mark.parametrize("method", sorted(AFTER_FIT))
@pytest.mark.parametrize(
    "other",
    [
        lambda: pd.DataFrame(X2, columns=["a", "b"])[["b", "a"]],
        lambda: pa.table({"b": X2[:, 1], "a": X2[:, 0]}),
        lambda: pd.DataFrame(X2, columns=["a", "c"]),
    ],
    ids=["reordered_frame", "reordered_arrow", "renamed_frame"],
)
def test_tables_with_other_columns_are_refused_after_fit(method, other):
    # columns are matched by position, so a reordered table would be silently wrong
    # (scikit-learn refuses it too)
    model = _fitted_on(MULTI["frame"]())
    with pytest.raises(InputError, match=r"`X` must have the columns .*\['a', 'b'\]"):
        AFTER_FIT[method](model, other())


@pytest.mark.parametrize("emission", ["Categorical", "Poisson", "Gamma", "Exponential"])
def test_a_bad_value_of_a_table_is_named_by_its_column_label(emission):
    import pyarrow as pa

    import pyjl.hmm as hmm

    x = np.full(100, 2.0)
    x[57] = 1.5 if emission in ("Categorical", "Poisson") else -1.0
    for table in (pa.table({"obs": x}), pd.DataFrame({"obs": x})):
        with pytest.raises(InputError, match="row 57, column 'obs'"):
            hmm.HMM(getattr(hmm, emission)(), 2, n_iter=1, random_state=0).fit(table)


def test_lengths_as_pandas_or_arrow_and_their_nulls_named_as_nulls():
    pa = pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    X = np.random.default_rng(0).normal(size=200)
    want = HMM(Normal(), 2, random_state=0).fit(X, [120, 80]).score(X, [120, 80])
    for lengths in (
        pd.Series([120, 80]),
        pa.array([120, 80]),
        pd.Series([120, 80], dtype="Int64"),
    ):
        got = HMM(Normal(), 2, random_state=0).fit(X, lengths).score(X, lengths)
        assert got == pytest.approx(want, rel=1e-12)
    with pytest.raises(InputError, match="`lengths` must not hold nulls.*index 1"):
        HMM(Normal(), 2).fit(X, pa.array([120, None]))
