#!/usr/bin/env bash
# One prepared GPU check: build pyjl in place, run the gpu-marked tests, run the GPU benchmarks.
#
#   bash benchmarks/gpu_check.sh            (from the repository root; ~4-5 minutes, at most 9.5)
#
# Writes $OUT/log.txt (everything, set -x), $OUT/pytest_gpu.txt and $OUT/gpu_bench.md
# ($OUT defaults to ./gpu_out).  Every stage runs even when an earlier one failed; the
# exit status is the number of failed stages.  Needs: python3 with numpy, scipy, Cython,
# setuptools, pytest, CuPy (cupy-cuda12x/13x) and, for the peers, torch + gpytorch.
# No network is used.

OUT="${OUT:-$PWD/gpu_out}"
mkdir -p "$OUT"
exec > >(tee -a "$OUT/log.txt") 2>&1
cd "$(dirname "$0")/.." || exit 99
find . -path ./.venv -prune -o -name __pycache__ -prune -exec rm -rf {} + 2>/dev/null  # stale bytecode
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1
failed=0
set -x

date -u
nvidia-smi || true
python3 -c 'import sys, cupy; print(sys.version); print("cupy", cupy.__version__); cupy.show_config()' || true

# 1. build the compiled kernels in place (the native engine is the reference of the tests)
timeout 180 python3 setup.py build_ext --inplace -j "$(nproc)" > "$OUT/build.txt" 2>&1
rc=$?; tail -n 15 "$OUT/build.txt"; [ $rc -eq 0 ] || failed=$((failed + 1))
python3 -c 'import pyjl; print(pyjl.info())' || failed=$((failed + 1))

# 2. the gpu-marked tests (every cuda kernel against the native engine); only the files that
#    hold gpu tests are collected, so an unrelated test file cannot break the collection
gpu_files=$(grep -rlE "mark\.gpu|pytestmark.*gpu" tests --include='*.py' | sort)
echo "gpu test files: $gpu_files"
timeout 120 python3 -m pytest -m gpu -q -rs -p no:cacheprovider --continue-on-collection-errors \
    $gpu_files 2>&1 | tee "$OUT/pytest_gpu.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed=$((failed + 1))

# 3. the benchmark table (device, versions, date) -> $OUT/gpu_bench.md
timeout 270 python3 benchmarks/gpu.py --budget 170 --torch-cap 20 --out "$OUT/gpu_bench.md"
[ $? -eq 0 ] || failed=$((failed + 1))

set +x
echo "gpu_check: $failed stage(s) failed; outputs in $OUT"
ls -l "$OUT"
exit $failed
