#!/usr/bin/env bash
# One prepared GPU check: build pyjl in place, run the gpu-marked tests, run the GPU benchmarks.
#
#   bash benchmarks/gpu_check.sh            (from the repository root; ~4-5 minutes, at most 9.5)
#   bash benchmarks/gpu_check.sh gp_scale   (build, then the large-n GP rows only; at most 9.7)
#   bash benchmarks/gpu_check.sh all        (every stage: more than one 10-minute device call)
#
# Stages: build, tests, bench (the default three) and gp_scale (the large-n GP benchmark
# against GPyTorch, n = 20,000 / 100,000 / 500,000: benchmarks/gp_scale.py --device cuda).
# Writes $OUT/log.txt (everything, set -x), $OUT/pytest_gpu.txt, $OUT/gpu_bench.md and
# $OUT/gp_scale.md ($OUT defaults to ./gpu_out).  Every stage runs even when an earlier one
# failed; the exit status is the number of failed stages.  Needs: python3 with numpy, scipy,
# Cython, setuptools, pytest, CuPy (cupy-cuda12x/13x) and, for the peers, torch + gpytorch.
# No network is used.

case "${1:-default}" in
    default) stages=" build tests bench " ;;
    gp_scale) stages=" build gp_scale " ;;
    all) stages=" build tests bench gp_scale " ;;
    *) echo "usage: bash benchmarks/gpu_check.sh [default|gp_scale|all]"; exit 99 ;;
esac
want() { [[ "$stages" == *" $1 "* ]]; }
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
if want build; then
timeout 180 python3 setup.py build_ext --inplace -j "$(nproc)" > "$OUT/build.txt" 2>&1
rc=$?; tail -n 15 "$OUT/build.txt"; [ $rc -eq 0 ] || failed=$((failed + 1))
python3 -c 'import pyjl; print(pyjl.info())' || failed=$((failed + 1))
fi

# 2. the gpu-marked tests (every cuda kernel against the native engine); only the files that
#    hold gpu tests are collected, so an unrelated test file cannot break the collection
if want tests; then
gpu_files=$(grep -rlE "mark\.gpu|pytestmark.*gpu" tests --include='*.py' | sort)
echo "gpu test files: $gpu_files"
timeout 120 python3 -m pytest -m gpu -q -rs -p no:cacheprovider --continue-on-collection-errors \
    $gpu_files 2>&1 | tee "$OUT/pytest_gpu.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed=$((failed + 1))
fi

# 3. the benchmark table (device, versions, date) -> $OUT/gpu_bench.md
if want bench; then
timeout 270 python3 benchmarks/gpu.py --budget 170 --torch-cap 20 --out "$OUT/gpu_bench.md"
[ $? -eq 0 ] || failed=$((failed + 1))
fi

# 4. large-n GP, pyjl's CG (cuda engine) vs GPyTorch on the device -> $OUT/gp_scale.md;
#    each row in its own process, GPyTorch training capped at 60 s (extrapolated) and
#    skipped where its dense n x n matrices cannot fit
if want gp_scale; then
timeout 400 python3 -m benchmarks.gp_scale --device cuda --sizes 20000,100000,500000 \
    --large-steps 1 --peer-cap 60 --timeout 150 --out "$OUT/gp_scale.md"
[ $? -eq 0 ] || failed=$((failed + 1))
fi

set +x
echo "gpu_check: $failed stage(s) failed; outputs in $OUT"
ls -l "$OUT"
exit $failed
