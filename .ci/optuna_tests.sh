#!/usr/bin/env bash
# Optuna's own test modules, which its wheel does not ship, for tests/peers/optuna.
#
#   eval "$(bash .ci/optuna_tests.sh)"   # prints: export PYJL_OPTUNA_TESTS=<folder>
#
# Downloads the source distribution of the installed Optuna (or, where none is installed,
# of the one the test extra's requirement in pyproject.toml makes pip install) into
# $PYJL_OPTUNA_DIR (default: /tmp/pyjl-optuna-$UID), unpacks it there, and prints the
# export line (to stdout; progress to stderr). The plugin skips tests of another version
# than the installed Optuna, saying so. Remove the folder when done (.ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${PYJL_OPTUNA_DIR:-${TMPDIR:-/tmp}/pyjl-optuna-$(id -u)}
say() { echo "optuna_tests.sh: $*" >&2; }

python=$(command -v python3 || command -v python)
requirement=$("$python" - <<'PY'
# the installed Optuna's version where there is one, else the test extra's requirement
import re
import tomllib
from importlib import metadata

try:
    print(f"optuna=={metadata.version('optuna')}")
except metadata.PackageNotFoundError:
    with open("pyproject.toml", "rb") as fh:
        extra = tomllib.load(fh)["project"]["optional-dependencies"]["test"]
    name = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")  # PEP 508: the name leads
    print(next(r for r in extra if name.match(r).group(1).lower() == "optuna"))
PY
)
rm -rf "$dir"
mkdir -p "$dir"
say "downloading the source distribution of $requirement into $dir"
"$python" -m pip download -q --no-binary :all: --no-deps -d "$dir" "$requirement" >&2
archive=$(ls "$dir"/optuna-*.tar.gz)
tar -xzf "$archive" -C "$dir"
src=$(ls -d "$dir"/optuna-*/ | head -n 1)
say "Optuna's tests: ${src}tests"
echo "export PYJL_OPTUNA_TESTS=${src%/}"
