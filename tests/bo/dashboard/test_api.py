"""The JSON API against the study as SQLite itself holds it, and its answers to bad input."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from collections import Counter

import numpy as np
import pytest

from pyjl.bo import Optimizer, serve
from pyjl.bo.dashboard.data import N_FIT_MAX
from pyjl.bo.posterior import posterior_line
from pyjl.bo.storage import open_storage

from .conftest import FAILED_TEXT, add_trials, get


def raw(path: str, study: str) -> list[tuple]:
    """``(number, state, value, error)`` of each trial, read with sqlite3."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT t.number, t.state, t.value, t.error FROM trials t JOIN studies s "
            "ON s.id = t.study_id WHERE s.name = ? ORDER BY t.number",
            (study,),
        ).fetchall()
    finally:
        conn.close()


def test_studies_list_counts_states_and_best(board, study_db):
    status, body = get(board.url + "api/studies")
    assert status == 200
    by_name = {s["name"]: s for s in body["studies"]}
    assert set(by_name) == {"demo", "empty"}
    rows = raw(study_db, "demo")
    demo = by_name["demo"]
    assert demo["n_trials"] == len(rows)
    counts = Counter(r[1] for r in rows)
    assert {k: v for k, v in demo["states"].items() if v} == dict(counts)
    assert demo["best"]["value"] == min(r[2] for r in rows if r[1] == "complete")
    assert by_name["empty"]["n_trials"] == 0 and by_name["empty"]["best"] is None


def test_trials_carry_every_column_and_failed_errors(board, study_db):
    status, body = get(board.url + "api/studies/demo/trials")
    assert status == 200 and body["reset"] is True
    rows = raw(study_db, "demo")
    assert [t["number"] for t in body["trials"]] == [r[0] for r in rows]
    for t, r in zip(body["trials"], rows):
        assert (t["state"], t["value"], t["error"]) == (r[1], r[2], r[3])
        assert set(t["params"]) == {"x", "lr", "k", "c"}
        assert t["duration"] is None or t["duration"] >= 0
        assert t["worker"]
    failed = [t for t in body["trials"] if t["state"] == "failed"]
    assert failed and all(FAILED_TEXT in t["error"] for t in failed)


def test_trials_since_returns_only_what_changed(board, study_db, rng):
    _, first = get(board.url + "api/studies/demo/trials")
    rev = first["revision"]
    _, same = get(board.url + f"api/studies/demo/trials?since={rev}&epoch={first['epoch']}")
    assert same["trials"] == [] and same["revision"] == rev and not same["reset"]
    add_trials(study_db, "demo", 3, rng)
    _, more = _wait_for_revision(board, rev, first["epoch"])
    assert [t["number"] for t in more["trials"]] == [20, 21, 22]
    # another server's revisions (a restarted dashboard) mean nothing: all trials again
    _, other = get(board.url + f"api/studies/demo/trials?since={rev}&epoch=deadbeef")
    assert other["reset"] and len(other["trials"]) == 23


def _wait_for_revision(board, rev, epoch):
    from .conftest import wait_for

    def check():
        status, body = get(board.url + f"api/studies/demo/trials?since={rev}&epoch={epoch}")
        return (status, body) if body["revision"] > rev else None

    got = wait_for(check, timeout=10)
    assert got, "the new trials never showed up"
    return got


def test_posterior_is_the_plots_computation(board, study_db):
    status, body = get(board.url + "api/studies/demo/posterior?param=x&n_grid=60")
    assert status == 200
    opt = Optimizer(None, storage=open_storage(study_db, read_only=True), study="demo")
    line = posterior_line(opt, "x", 60)
    np.testing.assert_allclose(body["x"], line.x)
    for key in ("lower", "centre", "upper", "acquisition"):
        np.testing.assert_allclose(body[key], getattr(line, key), rtol=1e-6, atol=1e-9)
    assert body["next"] == pytest.approx(line.next)
    lo, mid, hi = (np.array(body[k]) for k in ("lower", "centre", "upper"))
    assert np.all(np.isfinite(lo)) and np.all(lo <= mid) and np.all(mid <= hi)
    assert (
        body["n_complete"]
        == body["n_fit"]
        == sum(r[1] == "complete" for r in raw(study_db, "demo"))
    )


def test_posterior_of_a_categorical_and_a_log_parameter(board):
    _, cat = get(board.url + "api/studies/demo/posterior?param=c")
    assert cat["kind"] == "categorical" and cat["labels"] == ["a", "b"] and len(cat["x"]) == 2
    _, log = get(board.url + "api/studies/demo/posterior?param=lr&n_grid=30")
    assert log["log"] is True and len(log["x"]) == 30
    assert min(log["x"]) == pytest.approx(1e-3) and max(log["x"]) == pytest.approx(1.0)


def test_importance_ranks_the_parameter_the_value_depends_on(board):
    status, body = get(board.url + "api/studies/demo/importance")
    assert status == 200 and body["method"] == "ard"
    imp = {r["param"]: r["importance"] for r in body["importance"]}
    assert sum(imp.values()) == pytest.approx(1.0)
    assert max(imp, key=imp.get) == "x"  # the value is (x - 0.3)^2 + small terms


@pytest.mark.parametrize(
    "path, status, words",
    [
        ("api/studies/nope", 404, "no study 'nope'"),
        ("api/studies/nope/trials", 404, "its studies: 'demo', 'empty'"),
        ("api/studies/nope/posterior?param=x", 404, "no study 'nope'"),
        ("api/studies/demo/posterior?param=zz", 400, "no parameter 'zz'"),
        ("api/studies/demo/posterior", 400, "?param=NAME"),
        ("api/studies/demo/posterior?param=x&n_grid=1", 400, "n_grid"),
        ("api/studies/demo/trials?since=-1", 400, "since"),
        ("api/studies/demo/trials?since=two", 400, "whole number"),
        ("api/studies/empty/posterior?param=x", 409, "needs 2"),
        ("api/studies/empty/importance", 409, "needs 2"),
        ("api/nothing", 404, "/api/studies"),
    ],
)
def test_bad_requests_get_a_clear_4xx(board, path, status, words):
    got, body = get(board.url + path)
    assert got == status and body["status"] == status
    assert words in body["error"] and "Traceback" not in body["error"]


def test_pages_say_what_is_wrong(board):
    with urllib.request.urlopen(board.study_url("demo")) as r:
        assert r.status == 200 and b'data-study="&quot;demo&quot;"' in r.read()
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(board.study_url("no such study"))
    assert err.value.code == 404
    assert b"no study &#x27;no such study&#x27;" in err.value.read()


def test_the_server_refuses_writes(board):
    req = urllib.request.Request(board.url + "api/studies/demo", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req)
    assert err.value.code == 405 and "read-only" in json.loads(err.value.read())["error"]


def test_big_study_is_fetched_incrementally_and_fitted_on_a_subset(tmp_path, rng):
    path = str(tmp_path / "big.db")
    add_trials(path, "big", 10_000, rng, failed_every=97)
    with serve(path, port=0, block=False) as b:
        _, body = get(b.url + "api/studies/big/trials")
        assert len(body["trials"]) == 10_000 and body["n_trials"] == 10_000
        assert sum(t["state"] == "failed" for t in body["trials"]) == len(range(0, 10_000, 97))
        _, again = get(b.url + f"api/studies/big/trials?since={body['revision']}")
        assert again["trials"] == []
        add_trials(path, "big", 2, rng)
        _, new = _wait(b, body["revision"])
        assert [t["number"] for t in new["trials"]] == [10_000, 10_001]
        status, post = get(b.url + "api/studies/big/posterior?param=x&n_grid=50")
        assert status == 200 and post["n_fit"] == N_FIT_MAX
        assert post["n_complete"] == sum(r[1] == "complete" for r in raw(path, "big"))
        assert np.all(np.isfinite(post["upper"])) and np.all(np.isfinite(post["lower"]))


def _wait(b, rev):
    from .conftest import wait_for

    def check():
        s, body = get(b.url + f"api/studies/big/trials?since={rev}")
        return (s, body) if body["trials"] else None

    got = wait_for(check, timeout=10)
    assert got
    return got


def test_study_detail_gives_the_space(board):
    status, body = get(board.url + "api/studies/demo")
    assert status == 200 and body["name"] == "demo"
    assert body["space"] == [
        {"name": "x", "type": "real", "low": -2.0, "high": 2.0, "log": False},
        {"name": "lr", "type": "real", "low": 1e-3, "high": 1.0, "log": True},
        {"name": "k", "type": "integer", "low": 0, "high": 4, "log": False},
        {"name": "c", "type": "categorical", "choices": ["a", "b"]},
    ]
