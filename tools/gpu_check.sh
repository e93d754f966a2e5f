#!/usr/bin/env bash
# GPU day one: the plugin's CUDA paths checked in minutes on a bare CUDA machine with no internet
# (CUDA, nvcc, many cores, its own python3 with torch), one markdown report.
#
#   tools/gpu_check.sh --download      # HERE, beforehand: the wheels it needs -> .whl/gpu/
#   tools/gpu_check.sh [--out DIR]     # THERE: install, build mmcv's CUDA ops, run the checks
#   tools/gpu_check.sh --dry-run [--out DIR]   # anywhere: no install or build, the same checks
#                                              # on the CPU with tiny settings (seconds)
#
# On the GPU machine it
#   1. installs the carried wheels of .whl/gpu (git-ignored; carry it: about 12 MiB) with
#      --no-index --no-deps into that machine's python3 (which already has torch, numpy,
#      opencv, matplotlib, scipy, rich, ...): mmengine, mmpretrain, mmdet, mmsegmentation and
#      the pure-Python packages they import that the image lacks (WHEELS below);
#   2. builds mmcv 2.1.0's ops with CUDA for the local GPU only (TORCH_CUDA_ARCH_LIST from the
#      device, MAX_JOBS = all cores) from the carried sdist, and caches the wheel in
#      .whl/gpu-build (git-ignored), so a second call on the same machine skips the compile;
#   3. runs tools/misc/gpu_check.py: every pretraining algorithm 20 iterations with AMP, device
#      decoding against CPU decoding, QB-Heat against MoCo-v2 throughput on MF-294M at 256 px,
#      the frozen RetinaNet forward;
# and writes gpu_check.md to --out (default $OUT, else work_dirs/gpu_check) with the time of
# every step. The exit status is non-zero when any step or check failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wheels="$here/.whl/gpu"
build="$here/.whl/gpu-build"
PYTHON="${PYTHON:-python3}"
# Exactly what the GPU image lacks (KINDS.md lists what it has), for its Python 3.12.
WHEELS=(mmengine==0.10.7 mmpretrain==1.2.0 mmdet==3.3.0 mmsegmentation==1.2.2
        addict yapf platformdirs termcolor mat4py modelindex ordered-set terminaltables
        pycocotools shapely ftfy wcwidth prettytable importlib-metadata
        # mmcv's setup.py and mmengine 0.10.7 import pkg_resources, gone in setuptools 82
        'setuptools>=77,<82')

mode=run
out="${OUT:-$here/work_dirs/gpu_check}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --download) mode=download ;;
        --dry-run) mode=dry ;;
        --out) out="$2"; shift ;;
        *) echo "gpu_check.sh: unknown argument '$1' (use --download, --dry-run, --out DIR)" >&2
           exit 2 ;;
    esac
    shift
done

log() { printf '[gpu_check %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

if [[ "$mode" == download ]]; then
    mkdir -p "$wheels"
    log "downloading ${#WHEELS[@]} wheels for CPython 3.12 manylinux x86_64 into $wheels"
    "$PYTHON" -m pip download --disable-pip-version-check -q --no-deps --only-binary :all: \
        --python-version 3.12 --implementation cp --abi cp312 --abi none \
        --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux_2_28_x86_64 --platform any -d "$wheels" "${WHEELS[@]}"
    # pip prepares an sdist's metadata, and mmcv's setup.py imports torch: the project's
    # environment (tools/setup_env.sh) has it
    sdist_py="$("$here/tools/setup_env.sh" --print 2>/dev/null || echo "$PYTHON")"
    log "and the mmcv 2.1.0 source (its ops are compiled on the GPU machine), with $sdist_py"
    "$sdist_py" -m pip download --disable-pip-version-check -q --no-deps --no-binary :all: \
        --no-build-isolation mmcv==2.1.0 -d "$wheels"
    log "done: $(ls "$wheels" | wc -l) files, $(du -sh "$wheels" | cut -f1); carry .whl/gpu"
    exit 0
fi

mkdir -p "$out"
times="$out/setup_times.tsv"
: > "$times"
timed() {  # timed NAME COMMAND...: run, log and record its seconds
    local name="$1" t0=$SECONDS
    shift
    log "$name ..."
    if "$@"; then
        printf '%s\t%s\n' "$name" "$((SECONDS - t0))" >> "$times"
    else
        printf '%s\t%s (FAILED)\n' "$name" "$((SECONDS - t0))" >> "$times"
        log "$name FAILED after $((SECONDS - t0)) s"
        return 1
    fi
}

install_wheels() {
    ls "$wheels"/*.whl >/dev/null 2>&1 || {
        log "no wheels in $wheels: run 'tools/gpu_check.sh --download' where there is internet and carry .whl/gpu"
        return 1; }
    "$PYTHON" -m pip install --disable-pip-version-check -q --no-index --no-deps \
        "$wheels"/*.whl
}

build_mmcv() {
    local arch
    arch="$("$PYTHON" -c 'import torch; print("%d.%d" % torch.cuda.get_device_capability())')"
    mkdir -p "$build/wheels"
    if ls "$build"/wheels/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
        log "mmcv CUDA wheel cached in $build/wheels: skipping the compile"
    else
        rm -rf "$build/src" && mkdir -p "$build/src"
        tar -xzf "$wheels"/mmcv-2.1.0.tar.gz -C "$build/src"
        log "compiling mmcv ops for sm_${arch/./} with $(nproc) jobs"
        (cd "$build/src/mmcv-2.1.0" && MMCV_WITH_OPS=1 FORCE_CUDA=1 \
            TORCH_CUDA_ARCH_LIST="$arch" MAX_JOBS="$(nproc)" \
            "$PYTHON" -m pip wheel --disable-pip-version-check -q --no-build-isolation \
            --no-deps -w "$build/wheels" . > "$build/compile.log" 2>&1) || {
            tail -n 20 "$build/compile.log" >&2; return 1; }
    fi
    "$PYTHON" -m pip install --disable-pip-version-check -q --no-index --no-deps \
        "$build"/wheels/mmcv-2.1.0-*.whl
    "$PYTHON" -c 'import torch; from mmcv.ops import nms; b = torch.tensor([[0., 0, 9, 9], [1, 1, 9, 9]], device="cuda"); print("mmcv.ops.nms on CUDA keeps", nms(b, torch.tensor([.9, .8], device="cuda"), .5)[1].tolist())'
}

cd "$here"
status=0
if [[ "$mode" == dry ]]; then
    printf 'install carried wheels\tskipped (--dry-run)\nbuild mmcv CUDA ops\tskipped (--dry-run)\n' >> "$times"
    PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" tools/misc/gpu_check.py --dry-run \
        --out "$out" --setup-times "$times" || status=$?
else
    timed "install carried wheels" install_wheels || status=1
    (( status == 0 )) && { timed "build mmcv CUDA ops (cached after the first call)" build_mmcv || status=1; }
    if (( status == 0 )); then
        PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" tools/misc/gpu_check.py \
            --out "$out" --setup-times "$times" || status=$?
    else
        { echo "# GPU check: set-up FAILED"; echo; echo '| set-up step | seconds |'
          echo '|---|---|'; sed 's/\t/ | /; s/^/| /; s/$/ |/' "$times"; } > "$out/gpu_check.md"
    fi
fi
log "report: $out/gpu_check.md (exit $status)"
exit "$status"
