"""The `pyjl` command as a user runs it (a real subprocess)."""

import subprocess
import sys

import pyjl


def _pyjl(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "pyjl.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )


def test_version():
    out = _pyjl("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"pyjl {pyjl.__version__}"


def test_info_lists_engines_reasons_versions_threads():
    out = _pyjl("info")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for word in ("native", "julia", "cuda", "numpy", "scipy", "pyarrow", "threads", "OpenMP"):
        assert word in text
    assert "native  available" in text
    for ok, reason in pyjl.info().engines.values():
        if not ok:
            assert reason.split(";")[0] in text


def test_info_respects_thread_setting():
    import os

    env = dict(os.environ, PYJL_NUM_THREADS="1")
    out = _pyjl("info", env=env)
    assert "threads: 1 (PYJL_NUM_THREADS, environment)" in out.stdout


def test_bad_setting_gives_clean_error_exit_code():
    import os

    env = dict(os.environ, PYJL_NUM_THREADS="lots")
    out = _pyjl("info", env=env)
    assert out.returncode == 2
    assert "PYJL_NUM_THREADS='lots'" in out.stderr and "Traceback" not in out.stderr


def test_info_fails_for_an_engine_that_cannot_run():
    # it printed "engine: bogus" and exited 0: the diagnostic command did not diagnose
    import os

    out = _pyjl("info", env=dict(os.environ, PYJL_BACKEND="bogus"))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "engine: bogus (no such engine: one of native, julia, cuda)" in out.stdout
    assert "PYJL_BACKEND='bogus'" in out.stderr
    for name, (ok, _) in pyjl.info().engines.items():
        if not ok:  # an engine this machine lacks, selected
            out = _pyjl("info", env=dict(os.environ, PYJL_BACKEND=name))
            assert out.returncode == 2 and f"engine: {name} (unavailable" in out.stdout
            assert f"engine '{name}' is unavailable" in out.stderr


def test_console_script_installed():
    import shutil

    exe = shutil.which("pyjl")
    assert exe, "the pyjl console script is not on PATH"
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0


def test_python_dash_m_pyjl_is_the_command():
    out = subprocess.run(
        [sys.executable, "-m", "pyjl", "--version"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0 and out.stdout.strip() == f"pyjl {pyjl.__version__}"


def _report_sigterm(q):  # module level: a forked child runs it
    import signal

    q.put(signal.getsignal(signal.SIGTERM) == signal.SIG_DFL)


def test_a_forked_child_ends_on_sigterm_as_any_process():
    # the command's SIGTERM handler was inherited by its worker processes (and by an
    # objective's own pool): pyjl's stop of its workers then waited for their C code, and
    # multiprocessing printed "_Terminated" tracebacks
    import multiprocessing as mp
    import signal

    from pyjl.cli.main import _terminate

    ctx = mp.get_context("fork")
    before = signal.signal(signal.SIGTERM, _terminate)
    try:
        q = ctx.Queue()
        p = ctx.Process(target=_report_sigterm, args=(q,))
        p.start()
        p.join(30)
        assert q.get(timeout=10) is True
    finally:
        signal.signal(signal.SIGTERM, before)
