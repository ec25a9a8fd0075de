"""Search spaces: encodings, rounding (Garrido-Merchán & Hernández-Lobato 2020), bad input."""

import collections
import itertools
import math

import numpy as np
import pytest

from pyjl.bo import Categorical, Integer, Real, Space
from pyjl.exceptions import InputError


def mixed():
    return Space(
        {
            "lr": Real(1e-4, 1.0, log=True),
            "x": Real(-2.0, 3.0),
            "depth": Integer(2, 6),
            "n": Integer(1, 1000, log=True),
            "kind": Categorical(["a", "b", "c"]),
            "flag": Categorical([True, False]),
        }
    )


def test_encoding_layout():
    sp = mixed()
    assert sp.n_encoded == 1 + 1 + 1 + 1 + 3 + 2  # unit-cube coordinates
    assert len(sp) == 6  # parameters
    assert sp.names == ["lr", "x", "depth", "n", "kind", "flag"]
    assert list(sp.continuous) == [0, 1]


def test_real_linear_and_log_maps():
    assert Real(-2.0, 3.0).decode(np.array([0.4])) == pytest.approx(0.0)
    # log scale: the unit midpoint is the geometric mean
    assert Real(1e-4, 1.0, log=True).decode(np.array([0.5])) == pytest.approx(1e-2)
    assert Real(1e-4, 1.0, log=True).encode(1e-3)[0] == pytest.approx(0.25)


def test_roundtrip_and_round_is_encode_of_decode(rng):
    sp = mixed()
    U = rng.random((500, sp.n_encoded))
    R = sp.round(U)
    E = np.array([sp.encode(sp.validate(sp.decode(u))) for u in R])
    np.testing.assert_allclose(R, E, atol=1e-12)
    np.testing.assert_allclose(sp.round(R), R, atol=1e-12)  # idempotent
    for u, r in zip(U[:50], R[:50]):
        assert sp.decode(u) == sp.decode(r)  # same parameters


def test_integer_bins_are_uniform(rng):
    counts = collections.Counter(Integer(2, 6).decode(np.array([u])) for u in rng.random(20000))
    assert set(counts) == {2, 3, 4, 5, 6}
    for c in counts.values():
        assert abs(c / 20000 - 0.2) < 0.015
    # log integers: v owns [v - 1/2, v + 1/2] on a log axis from 1/2 to 1000 + 1/2
    vals = np.array([Integer(1, 1000, log=True).decode(np.array([u])) for u in rng.random(20000)])
    decades = np.histogram(vals, bins=[1, 10, 100, 1001])[0] / len(vals)
    expect = np.diff(np.log([0.5, 9.5, 99.5, 1000.5])) / math.log(1000.5 / 0.5)
    assert np.all(np.abs(decades - expect) < 0.015)
    assert vals.min() == 1
    # the top value owns the last log(1000.5 / 999.5) / log(1000.5 / 0.5) of [0, 1]: a draw
    # lands there with probability 1.3e-4, so the edge is checked on its bin, not on draws
    top = np.log(1000.5 / 999.5) / math.log(1000.5 / 0.5)
    dim = Integer(1, 1000, log=True)
    assert [dim.decode(np.array([u])) for u in (1 - 0.99 * top, 1.0)] == [1000, 1000]
    assert dim.decode(np.array([1 - 1.01 * top])) == 999


def test_categorical_one_hot_round():
    sp = Space({"c": Categorical(["a", "b", "c"])})
    np.testing.assert_array_equal(sp.round(np.array([[0.2, 0.9, 0.5]])), [[0.0, 1.0, 0.0]])
    assert sp.decode(np.array([0.2, 0.1, 0.5])) == {"c": "c"}


def test_json_roundtrip():
    sp = mixed()
    assert Space.from_json(sp.to_json()) == sp
    assert Space.from_json(sp.to_json()).names == sp.names


def test_toml(tmp_path):
    path = tmp_path / "space.toml"
    path.write_text(
        '[eta]\ntype = "real"\nlow = 1e-3\nhigh = 0.5\nlog = true\n\n'
        '[depth]\ntype = "integer"\nlow = 2\nhigh = 12\n\n'
        '[booster]\ntype = "categorical"\nchoices = ["gbtree", "dart"]\n'
    )
    sp = Space.from_toml(str(path))
    assert sp == Space(
        {
            "eta": Real(1e-3, 0.5, log=True),
            "depth": Integer(2, 12),
            "booster": Categorical(["gbtree", "dart"]),
        }
    )


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: Real(2.0, 1.0), ["lo <= hi", "inverted", "lo=2.0"]),
        (lambda: Integer(5, 2), ["lo <= hi", "inverted"]),
        (lambda: Integer(1.5, 4), ["integer", "1.5"]),
        (lambda: Real(0.0, 1.0, log=True), ["`Real.lo` must be > 0", "log=True"]),
        (lambda: Integer(0, 10, log=True), ["`Integer.lo` must be > 0", "got 0."]),
        (lambda: Real(float("nan"), 1.0), ["`Real.lo`", "finite", "nan"]),
        (lambda: Real(0.0, float("inf")), ["`Real.hi`", "finite", "inf"]),
        (lambda: Integer(0, float("-inf")), ["`Integer.hi`", "integer", "-inf"]),
        (lambda: Integer(True, 3), ["`Integer.lo`", "True"]),
        (lambda: Categorical([1, True]), ["`choices`", "distinct", "1 and True"]),
        (lambda: Categorical([0.0, False, "a"]), ["distinct", "0.0 and False"]),
        (lambda: Categorical(["a", float("nan")]), ["`choices`", "NaN"]),
        (lambda: Categorical([]), ["`choices`", "at least one"]),
        (lambda: Categorical(["a", "a"]), ["distinct"]),
        (lambda: Categorical("ab"), ["`choices`", "list", "'ab'"]),
        (lambda: Categorical(None), ["`choices`", "list", "None"]),
        (lambda: Categorical([object()]), ["`choices`", "JSON"]),
        (lambda: Categorical([(1,), (1.0,)]), ["distinct", "(1,) and (1.0,)"]),
        (lambda: Categorical([(1, float("nan"))]), ["`choices`", "NaN", "(1, nan)"]),
        (lambda: Categorical([(1, {"a": 2})]), ["`choices`", "tuples of them", "dict"]),
        (lambda: Space({}), ["`dimensions`", "non-empty"]),
        (lambda: Space("abc"), ["`dimensions`", "'abc'"]),
        (lambda: Space({1: Real(0.0, 1.0)}), ["`dimensions`", "strings as keys", "1"]),
        (lambda: Space({"x": 3}), ["`dimensions['x']`", "Real", "shorthand", "3"]),
        (lambda: Space({"x": [0, 1]}), ["`dimensions['x']`", "range or a list of choices"]),
        (lambda: Real(0.0, 1.0, log="yes"), ["`Real.log`", "True or False", "'yes'"]),
        (lambda: Integer(1, 4, log=2), ["`Integer.log`", "True or False", "2"]),
    ],
)
def test_bad_dimensions(make, words):
    with pytest.raises(InputError) as err:
        make()
    for w in words + ["Fix:"]:
        assert w in str(err.value)


def test_categorical_numpy_choices_are_python_values():
    cat = Categorical(np.array([1, 2]))
    assert cat.choices == [1, 2] and type(cat.choices[0]) is int
    assert Categorical(np.array(["a", "b"])) == Categorical(["a", "b"])


@pytest.mark.parametrize(
    "params, words",
    [
        (
            {"lr": 0.1, "x": 0.0, "depth": 3, "n": 5, "kind": "a", "flag": True, "zzz": 1},
            ["`params`", "only parameters", "'zzz'"],
        ),
        (
            {"lr": 0.1, "x": 0.0, "depth": 3, "n": 5, "kind": "a"},
            ["`params`", "every parameter", "'flag'"],
        ),
        (
            {"lr": 2.0, "x": 0.0, "depth": 3, "n": 5, "kind": "a", "flag": True},
            ["`params['lr']`", "inside [0.0001, 1.0]", "2.0"],
        ),
        (
            {"lr": 0.1, "x": 0.0, "depth": 7, "n": 5, "kind": "a", "flag": True},
            ["`params['depth']`", "2..6"],
        ),
        (
            {"lr": 0.1, "x": 0.0, "depth": 3.5, "n": 5, "kind": "a", "flag": True},
            ["`params['depth']`", "integer"],
        ),
        (
            {"lr": 0.1, "x": 0.0, "depth": 3, "n": 5, "kind": "z", "flag": True},
            ["`params['kind']`", "'z'", "choices"],
        ),
        (
            {"lr": 0.1, "x": math.inf, "depth": 3, "n": 5, "kind": "a", "flag": True},
            ["`params['x']`", "finite"],
        ),
        (
            {"lr": "big", "x": 0.0, "depth": 3, "n": 5, "kind": "a", "flag": True},
            ["`params['lr']`", "real number", "'big'"],
        ),
        (
            {"lr": 0.1, "x": 0.0, "depth": True, "n": 5, "kind": "a", "flag": True},
            ["`params['depth']` must be an integer", "not a bool", "got True"],
        ),
        (
            {"lr": False, "x": 0.0, "depth": 3, "n": 5, "kind": "a", "flag": True},
            ["`params['lr']` must be a finite real number, not a bool", "got False"],
        ),
        ([0.1, 0.0], ["`params`", "dict"]),
    ],
)
def test_validate_messages(params, words):
    with pytest.raises(InputError) as err:
        mixed().validate(params)
    for w in words + ["Fix:"]:
        assert w in str(err.value)


GOOD = {"lr": 0.1, "x": 0.0, "depth": 3, "n": 5, "kind": "a", "flag": True}


@pytest.mark.parametrize(
    "params, words",
    [
        (
            {k: v for k, v in GOOD.items() if k != "kind"},
            ["`params`", "every parameter", "'kind'"],
        ),
        ([0.1, 0.0], ["`params`", "dict"]),
        ({**GOOD, "x": "0.5"}, ["`params['x']`", "real number", "'0.5'"]),
        ({**GOOD, "x": math.nan}, ["`params['x']`", "finite", "nan"]),
        ({**GOOD, "lr": math.inf}, ["`params['lr']`", "finite", "inf"]),
        ({**GOOD, "lr": -1.0}, ["`params['lr']`", "> 0 on a log scale"]),
        ({**GOOD, "kind": "z"}, ["`params['kind']`", "choices", "'z'"]),
    ],
)
def test_encode_refuses_what_it_cannot_map(params, words):
    with pytest.raises(InputError) as err:
        mixed().encode(params)
    for w in words + ["Fix:"]:
        assert w in str(err.value)


def test_encode_maps_points_outside_the_space_linearly():
    # warm-start points outside the range map outside [0, 1] on the same affine map
    sp = Space({"x": Real(-2.0, 3.0), "d": Integer(2, 6)})
    u = sp.encode({"x": 4.0, "d": 7, "extra": 1})
    np.testing.assert_allclose(u, [(4.0 + 2.0) / 5.0, (7 - 2 + 0.5) / 5.0])


def test_key_of_numpy_scalars_equals_key_of_python_scalars():
    sp = mixed()
    np_params = {
        "lr": np.float64(0.1),
        "x": np.float32(0.5),
        "depth": np.int64(3),
        "n": np.int32(5),
        "kind": np.str_("a"),
        "flag": np.True_,
    }
    py_params = {"lr": 0.1, "x": 0.5, "depth": 3, "n": 5, "kind": "a", "flag": True}
    assert sp.key(np_params) == sp.key(py_params)
    assert sp.key({**py_params, "extra": 1}) == sp.key(py_params)
    for bad, words in (
        ([1], ["`params`", "dict"]),
        ({"lr": 0.1}, ["`params`", "every"]),
        ({**py_params, "x": object()}, ["`params['x']`", "JSON"]),
    ):
        with pytest.raises(InputError) as err:
            sp.key(bad)
        assert all(w in str(err.value) for w in words + ["Fix:"])


@pytest.mark.parametrize(
    "u, words",
    [
        ("a", ["`u`", "'a'"]),
        ([0.5], ["`u`", "shape (9,)", "(1,)"]),
        (np.full((1, 9), 0.5), ["`u`", "shape (9,)", "(1, 9)"]),
        ([0.5] * 8 + [math.nan], ["`u`", "finite", "index 8"]),
    ],
)
def test_decode_refuses_bad_points(u, words):
    with pytest.raises(InputError) as err:
        mixed().decode(u)
    for w in words + ["Fix:"]:
        assert w in str(err.value)


@pytest.mark.parametrize(
    "text, words",
    [
        (
            '[x]\ntype = "float"\nlow = 0\nhigh = 1\n',
            ["['x'].type`", "'real', 'integer' or 'categorical'", "'float'"],
        ),
        ('[x]\ntype = "real"\nlow = 0\n', ["['x']`", "keys", "no 'high'"]),
        ('[x]\ntype = "real"\nlow = 0\nhigh = 1\nstep = 2\n', ["['x']`", "unknown keys 'step'"]),
        ('[x]\ntype = "real"\nlow = 2\nhigh = 1\n', ["['x'].high`", "lo <= hi"]),
        (
            '[x]\ntype = "integer"\nlow = 1\nhigh = 3\nlog = "yes"\n',
            ["['x'].log`", "True or False"],
        ),
        ('[x]\ntype = "categorical"\nchoices = []\n', ["['x'].choices`", "at least one"]),
        ("x = 3\n", ["['x']`", "table"]),
        ("[x\n", ["`path`", "valid TOML"]),
    ],
)
def test_toml_errors(tmp_path, text, words):
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    with pytest.raises(InputError) as err:
        Space.from_toml(str(bad))
    for w in words + ["Fix:"]:
        assert w in str(err.value)


def test_toml_missing_file(tmp_path):
    with pytest.raises(
        InputError, match="`path` must name an existing space file; got .*none.toml'"
    ):
        Space.from_toml(str(tmp_path / "none.toml"))


def test_size():
    assert Space({"a": Integer(1, 3), "b": Categorical("xy" and ["x", "y"])}).size() == 6
    assert math.isinf(mixed().size())


def test_log_real_decodes_its_bounds_exactly_and_huge_integers_are_refused():
    from pyjl.bo import Integer, Real
    from pyjl.exceptions import InputError

    r = Real(1e-3, 1.0, log=True)
    assert r.decode(np.array([0.0])) == 1e-3 and r.decode(np.array([1.0])) == 1.0
    with pytest.raises(InputError, match="2\\*\\*49"):
        Integer(10**17, 10**17 + 3)


@pytest.mark.parametrize("lo, log", [(1.0, False), (2.0, True), (0.0, False), (-3.5, False)])
def test_real_of_one_value_is_a_parameter_as_in_optuna(lo, log):
    # Optuna's FloatDistribution(lo, lo) is a single-value distribution that contains lo
    # alone (tests/distributions_tests/test_distributions.py::test_empty_range_contains)
    from optuna.distributions import FloatDistribution

    ref = FloatDistribution(lo, lo, log=log)
    dim = Real(lo, lo, log=log)
    assert ref.single()
    for v in (lo, np.nextafter(lo, np.inf), lo - 1.0):
        accepted = True
        try:
            dim.validate(v, "x")
        except InputError:
            accepted = False
        assert accepted == ref._contains(v)
    assert dim.encode(lo).tolist() == [0.0]  # no division by the zero width
    assert {dim.decode(np.array([u])) for u in (0.0, 0.3, 1.0)} == {lo}
    sp = Space({"x": dim, "k": Integer(0, 2)})
    assert sp.size() == 3  # one value times three
    np.testing.assert_array_equal(sp.round(np.array([[0.7, 0.1]])), [[0.7, 1 / 6]])
    assert sp.decode(np.array([0.7, 0.9])) == {"x": lo, "k": 2}


def test_real_range_wider_than_the_doubles_is_refused():
    # hi - lo = 2e308 overflows: the map (x - lo) / (hi - lo) would give NaN and inf
    with pytest.raises(InputError) as err:
        Real(-1e308, 1e308)
    assert all(w in str(err.value) for w in ["`Real.hi`", "hi - lo finite", "rescale", "Fix:"])
    wide = Real(-1e307, 1e307)  # a range that fits maps as the closed form
    assert wide.encode(1e307).tolist() == [1.0] and wide.encode(0.0).tolist() == [0.5]
    assert wide.decode(np.array([0.5])) == 0.0 and wide.decode(np.array([0.75])) == pytest.approx(
        5e306, rel=1e-15
    )


@pytest.mark.parametrize(
    "lo, hi, log, beyond",
    [  # a range at the bounds, and one just past them
        (-(2**49), 2**49, False, (-(2**49) - 1, 0)),
        (2**49 - 5, 2**49, False, (2**49 - 5, 2**49 + 1)),
        (1, 2**40, True, (1, 2**40 + 1)),
        (2**40 - 5, 2**40, True, (2**40 - 5, 2**40 + 1)),
        (1, 10**12, True, (1, 10**15)),
        (3, 3, True, (3, 2**53)),
    ],
)
def test_integer_values_round_trip_exactly_up_to_the_bounds(lo, hi, log, beyond, rng):
    # past the bounds a double cannot keep the values apart (Integer(1, 10**15, log=True)
    # decoded u = 1 as hi - 1, Integer(0, 2**53) encoded 2**53 - 1 as 2**53): refused
    with pytest.raises(InputError, match="2\\*\\*4[09]"):
        Integer(*beyond, log=log)
    dim = Integer(lo, hi, log=log)
    assert dim.decode(np.array([0.0])) == lo and dim.decode(np.array([1.0])) == hi
    values = {lo, hi, lo + 1, hi - 1} | {int(v) for v in rng.integers(lo, hi, 200, endpoint=True)}
    values = sorted(v for v in values if lo <= v <= hi)
    for v in values:
        u = dim.encode(v)
        assert dim.decode(u) == v and type(dim.decode(u)) is int
        # the encoding is the centre of v's bin, as the module docstring defines it
        if log:
            a, b = math.log(lo - 0.5), math.log(hi + 0.5)
            assert u[0] == pytest.approx((math.log(v) - a) / (b - a), abs=1e-15)
        else:
            assert u[0] == pytest.approx((v - lo + 0.5) / (hi - lo + 1), abs=1e-15)
    sp = Space({"k": dim})
    U = np.array([[sp.encode({"k": v})[0]] for v in values])
    np.testing.assert_array_equal(sp.round(U), U)  # bin centres are fixed points


def test_integer_bounds_where_values_stay_apart_and_exact_validation():
    for make, name, bound in (
        (lambda: Integer(0, 2**50), "`Integer.hi`", "2**49"),
        (lambda: Integer(-(2**53), 0), "`Integer.lo`", "2**49"),
        (lambda: Integer(1, 2**40 + 1, log=True), "`Integer.hi`", "2**40"),
    ):
        with pytest.raises(InputError) as err:
            make()
        assert all(w in str(err.value) for w in [name, bound, "Fix:"])
    big = Integer(-(2**49), 2**49)
    assert big.validate(2**49, "k") == 2**49 and big.validate(np.int64(-(2**49)), "k") == -(2**49)
    for v in (2**49 + 1, 2**53 + 1, float(2**53), 10**400):  # refused, never rounded
        with pytest.raises(InputError, match="must lie inside"):
            big.validate(v, "k")


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: Real(1e6, 1e6 + 1e-9, log=True), ["`Real.log`", "lo=1000000.0", "log=False"]),
        (lambda: Real(1.0, 1.0 + 2**-30, log=True), ["`Real.log`", "log=False"]),
        (lambda: Integer(2**50, 2**50 + 3, log=True), ["`Integer.lo`", "2**49"]),
    ],
)
def test_log_ranges_too_narrow_for_a_log_map_are_refused(make, words):
    with pytest.raises(InputError) as err:
        make()
    for w in words + ["Fix:"]:
        assert w in str(err.value)


def test_narrowest_log_ranges_map_like_their_closed_form():
    with pytest.raises(InputError, match="`Real.log` must be False when hi < lo"):
        Real(1e6, 1e6 * (1 + 0.9e-6), log=True)  # just below the bound
    r = Real(1e6, 1e6 * (1 + 2e-6), log=True)
    mid = math.sqrt(r.lo * r.hi)  # the geometric midpoint encodes to 1/2
    assert r.encode(r.lo).tolist() == [0.0] and r.encode(r.hi)[0] == pytest.approx(1.0)
    assert r.encode(mid)[0] == pytest.approx(0.5, abs=1e-6)
    assert r.decode(np.array([0.5])) == pytest.approx(mid, rel=1e-14)
    k = Integer(2**39, 2**39 + 3, log=True)  # narrow and high: four distinct bins
    assert [k.decode(k.encode(v)) for v in range(2**39, 2**39 + 4)] == list(
        range(2**39, 2**39 + 4)
    )


def test_ints_beyond_the_double_range_are_input_errors():
    with pytest.raises(InputError, match="`params\\['x'\\]` must be a finite real number"):
        Real(0.0, 1.0).validate(10**400, "x")
    with pytest.raises(InputError, match="`params\\['x'\\]` must be a finite real number"):
        Space({"x": Real(0.0, 1.0)}).encode({"x": 10**400})
    with pytest.raises(InputError, match="must lie inside 0..3"):
        Integer(0, 3).validate(-(10**400), "k")


@pytest.mark.parametrize(
    "choices, value",
    [
        ([1, 2], 1.0),
        ([0.5, 1, 2], np.float64(2.0)),
        ([0.5, 1, 2], np.float32(0.5)),
        ([0.0, 1], -0.0),
        ([1, 2], np.int64(2)),
        (["a", 1], 1.0),
        ([1, 2], 3.0),
        ([1, 2], "1"),
    ],
)
def test_categorical_finds_equal_numbers_as_optuna(choices, value):
    # Optuna's CategoricalDistribution.to_internal_repr is choices.index(value) (==)
    from optuna.distributions import CategoricalDistribution

    try:
        expect = CategoricalDistribution(choices).to_internal_repr(value)
    except ValueError:
        expect = -1
    cat = Categorical(choices)
    assert cat.index(value) == expect
    if expect >= 0:  # the choice itself is recorded, with its own type
        got = cat.validate(value, "c")
        assert got == choices[expect] and type(got) is type(choices[expect])


def test_categorical_numbers_find_numbers_and_bools_find_bools():
    # unlike Python's == (and Optuna's index), True is not the choice 1, nor 1 the choice True
    assert Categorical([1, 2]).index(1.0) == 0 and Categorical([True, 2]).index(2.0) == 1
    assert Categorical([1, 2]).index(True) == -1 and Categorical([1, 2]).index(np.True_) == -1
    assert Categorical([True, 2]).index(1) == -1 and Categorical([True, 2]).index(1.0) == -1
    assert Categorical([True, 2]).index(np.bool_(True)) == 0


def test_zero_d_arrays_and_series_are_the_values_they_hold():
    pd = pytest.importorskip("pandas")
    sp = Space({"x": Real(0.0, 1.0), "k": Integer(1, 4), "c": Categorical(["a", 2])})
    got = sp.validate({"x": np.array(0.25), "k": np.array(3), "c": np.array(2.0)})
    assert got == {"x": 0.25, "k": 3, "c": 2}
    assert [type(v) for v in got.values()] == [float, int, int]
    row = pd.Series({"k": 3, "x": 0.25, "c": "a"})  # a history row's parameter columns
    assert sp.validate(row) == {"x": 0.25, "k": 3, "c": "a"}
    assert sp.key(row) == sp.key({"x": 0.25, "k": 3, "c": "a"})
    np.testing.assert_array_equal(sp.encode(row), sp.encode(dict(row)))
    for bad, words in (
        ({"x": np.array(0.25), "k": np.array(True), "c": "a"}, ["`params['k']`", "dtype bool"]),
        ({"x": np.array([0.25]), "k": 3, "c": "a"}, ["`params['x']`", "shape (1,)"]),
        (pd.Series({"k": 3, "x": 0.25, "c": "a", "value": 1.0}), ["only parameters", "'value'"]),
        (pd.DataFrame({"k": [3], "x": [0.25], "c": ["a"]}), ["`params`", "dict"]),
    ):
        with pytest.raises(InputError) as err:
            sp.validate(bad)
        for w in words + ["Fix:"]:
            assert w in str(err.value)


def test_points_of_a_finite_space_are_numbered_in_mixed_radix():
    sp = Space(
        {
            "k": Integer(-1, 1),
            "x": Real(0.5, 0.5),
            "c": Categorical(["a", "b"]),
            "n": Integer(5, 6),
        }
    )
    expect = [  # itertools.product: the last parameter fastest
        {"k": k, "x": 0.5, "c": c, "n": n}
        for k, c, n in itertools.product(range(-1, 2), ["a", "b"], range(5, 7))
    ]
    assert int(sp.size()) == len(expect) == 12
    assert [sp.point(i) for i in range(12)] == expect
    assert [sp.rank(p) for p in expect] == list(range(12))
    with pytest.raises(InputError, match="`space` must be finite"):
        mixed().point(0)


def test_minus_zero_is_the_point_zero():
    # one key per point: -0.0 told and 0.0 asked are one trial, so nothing is asked twice
    import warnings

    from pyjl.bo import Optimizer
    from pyjl.exceptions import SpaceExhausted

    space = Space({"x": Real(0.0, 0.0), "k": Integer(1, 2)})
    assert space.key(space.validate({"x": -0.0, "k": 1})) == space.key({"x": 0.0, "k": 1})
    for seed in range(6):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            opt = Optimizer(space, seed=seed, sampler="random")
            opt.tell({"x": -0.0, "k": 1}, 1.0)
            assert opt.ask() == {"x": 0.0, "k": 2}
            with pytest.raises(SpaceExhausted):
                opt.ask()


def test_tuple_choices_are_kept_and_found_from_their_json_arrays():
    # scikit-learn's hidden_layer_sizes=(64, 32), ngram_range=(1, 2): storage reads
    # them back as JSON arrays, which find the tuple they were
    cat = Categorical([(64,), [64, 32], (1, (2, 3))])
    assert cat.choices == [(64,), (64, 32), (1, (2, 3))]
    assert [cat.index(v) for v in ([64], (64, 32), [1, [2, 3]], [64, 33])] == [0, 1, 2, -1]
    assert cat.validate([64, 32], "h") == (64, 32)
    space = Space({"h": cat, "x": Real(0.0, 1.0)})
    assert Space.from_json(space.to_json()) == space
    assert space.key({"h": (64, 32), "x": 0.5}) == space.key({"h": [64, 32], "x": 0.5})
    assert space.as_chosen({"h": [64, 32], "x": 0.5}) == {"h": (64, 32), "x": 0.5}
    for u in np.eye(3):
        assert space.decode(np.r_[u, 0.5])["h"] == cat.choices[int(np.argmax(u))]
