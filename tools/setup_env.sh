#!/usr/bin/env bash
# Create (or reuse) the qbheat_mm virtual environment: torch + torchvision, mmcv 2.1.0 built from
# source with its compiled ops, mmengine, mmpretrain, mmdet, mmseg, test and demo extras.
#
#   tools/setup_env.sh            # build it, or reuse it; prints its python path on the last line
#   tools/setup_env.sh --print    # print the path if it is built; otherwise say so on stderr
#                                 # and exit 1 (never builds)
#
# Measured on 2 cores: about 15-21 min the first time (the mmcv compile is most of it), then the
# compiled mmcv wheel is cached and a rebuilt environment takes a few minutes.
#
# Safe to start twice: one lock per cache. A second caller (another shell, make print-python,
# a README line through tools/project_env.py) waits for the first build and then reuses it.
# Every step's output goes to $QBHEAT_CACHE/logs/setup_env-<key>.log; a failure names its step
# and that log and shows the log's last lines.
#
# Environment variables:
#   QBHEAT_ENV        folder of the virtual environment
#                     (default: $QBHEAT_CACHE/env-<hash of the pins and ENV_REVISION>)
#   QBHEAT_CACHE      cache folder (default: ${XDG_CACHE_HOME:-~/.cache}/qbheat_mm); the built mmcv
#                     wheel is kept in $QBHEAT_CACHE/wheels so a rebuilt environment takes minutes
#   PYTHON            base interpreter (default: python3; tested with 3.11)
#   MAX_JOBS          parallel compile jobs for mmcv (default: all cores)
#   FORCE_CUDA=1      also compile mmcv's CUDA ops (needs nvcc matching torch's CUDA)
#   QBHEAT_PROGRESS_S seconds between compile progress lines (default 30)
#   QBHEAT_SETUP_STUB for the tests only: N = replace the build steps by an N-second stub that
#                     links the base python; 'fail' = a stub step that fails
#
# Why mmcv is built here, and the one flag we change:
#   mmdet 3.3 needs 2.0.0rc4 <= mmcv < 2.2.0 *with* mmcv._ext, and PyPI has only the mmcv 2.1.0
#   sdist. Its setup.py passes -std=c++17, but torch >= 2.14 headers stop with
#   "#error C++20 or later compatible compiler is required to use ATen" (open-mmlab/mmcv#3341).
#   We raise the flag to -std=c++20 in the unpacked sdist (a copy in our cache, never an installed
#   file) and build with ninja and --no-build-isolation (setup.py imports torch and pkg_resources).
set -euo pipefail

# Bump when the steps below change what an environment holds (the pins are hashed anyway).
ENV_REVISION=2

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$here/requirements"
PYTHON="${PYTHON:-python3}"
cache="${QBHEAT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qbheat_mm}"
key="$( (cat "$req"/build.txt "$req"/torch.txt "$req"/mminstall.txt "$req"/runtime.txt \
        "$req"/tests.txt "$req"/optional.txt; echo "revision $ENV_REVISION") | sha1sum | cut -c1-10)"
env_dir="${QBHEAT_ENV:-$cache/env-$key}"
py="$env_dir/bin/python"
stamp="$env_dir/.qbheat_env_complete"
lock="$cache/.setup_env.lock"
holder_file="$cache/.setup_env.pid"
logfile="$cache/logs/setup_env-$key.log"

log() { printf '[setup_env %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

if [[ "${1:-}" == "--print" ]]; then
    if [[ -f "$stamp" ]]; then
        echo "$py"
        exit 0
    fi
    if [[ -f "$lock" ]] && ! flock -n "$lock" true 2>/dev/null; then
        log "the environment $env_dir is being built now (pid $(cat "$holder_file" 2>/dev/null \
            || echo '?'), log $logfile); run 'make env' to wait for it"
    else
        log "no environment yet at $env_dir; build it with 'make env' (about 15-21 min on 2" \
            "cores the first time, with progress; then cached)"
    fi
    exit 1
elif [[ $# -gt 0 ]]; then
    log "unknown argument '$1'; use no argument (build or reuse) or --print"
    exit 2
fi

if [[ -f "$stamp" ]]; then
    log "reusing $env_dir"
    echo "$py"
    exit 0
fi

# One build at a time per cache: a second caller waits, then reuses what the first built.
mkdir -p "$cache/wheels" "$cache/logs"
exec 9>>"$lock"
if ! flock -n 9; then
    log "waiting for another build of $env_dir (pid $(cat "$holder_file" 2>/dev/null \
        || echo '?'), log $logfile) ..."
    flock 9
    if [[ -f "$stamp" ]]; then
        log "the other build finished; reusing $env_dir"
        echo "$py"
        exit 0
    fi
    log "the other build did not finish (see $logfile); building it here"
fi
echo $$ > "$holder_file"

step="preparing"
on_exit() {
    local rc=$?
    if (( rc != 0 )); then
        log "FAILED at step $step (exit $rc). Its output: $logfile; the last lines:"
        tail -n 15 "$logfile" >&2 || true
        log "fix the cause and rerun tools/setup_env.sh (make env); finished steps are reused"
    fi
}
trap on_exit EXIT
: > "$logfile"
begin() { step="$1"; log "$step"; echo "== $step" >> "$logfile"; }

start=$SECONDS
if [[ -n "${QBHEAT_SETUP_STUB:-}" ]]; then
    begin "1/1 stub build (QBHEAT_SETUP_STUB=$QBHEAT_SETUP_STUB)"
    echo "$$" >> "$cache/stub_builds"
    if [[ "$QBHEAT_SETUP_STUB" == "fail" ]]; then
        echo "stub: a step that fails" >> "$logfile"
        false
    fi
    mkdir -p "$env_dir/bin"
    ln -sf "$(command -v "$PYTHON")" "$py"
    sleep "$QBHEAT_SETUP_STUB"
    touch "$stamp"
    log "environment ready in $((SECONDS - start)) s: $env_dir"
    echo "$py"
    exit 0
fi

if [[ ! -x "$py" ]]; then
    begin "0/5 creating virtual environment $env_dir"
    "$PYTHON" -m venv "$env_dir" >> "$logfile" 2>&1
fi
pip_install() { "$py" -m pip install --disable-pip-version-check "$@" >> "$logfile" 2>&1; }

begin "1/5 build tools (setuptools<82, wheel, ninja, numpy)"
pip_install -r "$req/build.txt"

begin "2/5 torch + torchvision"
pip_install -r "$req/torch.txt"

torch_ver="$("$py" -c 'import torch; print(torch.__version__.split("+")[0])')"
py_tag="$("$py" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
flavour="cpu"
[[ "${FORCE_CUDA:-0}" == "1" ]] && flavour="cuda"
wheel_dir="$cache/wheels/mmcv-2.1.0-torch$torch_ver-$py_tag-$flavour"
mkdir -p "$wheel_dir"

# Compile progress: objects written / objects in mmcv's ninja file, with an ETA.
compile_progress() {
    local builder=$1 build=$2 every="${QBHEAT_PROGRESS_S:-30}" t0=$SECONDS last=$SECONDS
    while kill -0 "$builder" 2>/dev/null; do
        sleep 1
        (( SECONDS - last < every )) && continue
        last=$SECONDS
        local done total elapsed
        done=$(find "$build" -name '*.o' 2>/dev/null | wc -l || true)   # no build dir yet: 0
        total=$(cat "$build"/temp*/build.ninja 2>/dev/null | grep -c '^build .*\.o:' || true)
        elapsed=$((SECONDS - t0))
        if (( total > 0 && done > 0 )); then
            log "mmcv ops: $done/$total objects compiled, $((elapsed / 60)) min elapsed, ETA" \
                "$(( elapsed * (total - done) / done / 60 )) min"
        else
            log "mmcv ops: preparing the compile, $((elapsed / 60)) min elapsed"
        fi
    done
}

if ! ls "$wheel_dir"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
    begin "3/5 building mmcv 2.1.0 with ops against torch $torch_ver ($flavour); about 15 min on 2 cores"
    pip_install "mmengine==0.10.7" "opencv-python-headless>=4.8"
    src="$cache/src"
    rm -rf "$src" && mkdir -p "$src"
    # --no-build-isolation: preparing the sdist's metadata imports torch from this environment.
    "$py" -m pip download --disable-pip-version-check -q --no-deps --no-binary :all: \
        --no-build-isolation mmcv==2.1.0 -d "$src" >> "$logfile" 2>&1
    tar -xzf "$src"/mmcv-2.1.0.tar.gz -C "$src"
    if [[ "$("$py" -c 'import torch; v=torch.__version__.split(".");print(int(v[0])*100+int(v[1]))')" -ge 214 ]]; then
        log "raising mmcv's -std=c++17 to -std=c++20 (torch >= 2.14 headers require C++20)"
        sed -i 's/-std=c++17/-std=c++20/g' "$src"/mmcv-2.1.0/setup.py
        grep -q -- '-std=c++20' "$src"/mmcv-2.1.0/setup.py
    fi
    (
        cd "$src/mmcv-2.1.0"
        MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
            "$py" -m pip wheel -v --disable-pip-version-check --no-build-isolation --no-deps \
            -w "$wheel_dir" . >> "$logfile" 2>&1
    ) &
    builder=$!
    compile_progress "$builder" "$src/mmcv-2.1.0/build"
    wait "$builder"
    ls "$wheel_dir"/mmcv-2.1.0-*.whl >/dev/null
else
    log "3/5 mmcv wheel found in $wheel_dir"
fi
pip_install "$wheel_dir"/mmcv-2.1.0-*.whl

begin "4/5 mmengine, mmpretrain, mmdet and runtime requirements"
pip_install -r "$req/mminstall.txt" -r "$req/runtime.txt"

begin "5/5 test and optional requirements"
pip_install -r "$req/tests.txt" -r "$req/optional.txt"

begin "checking the stack (imports, mmcv.ops.nms)"
"$py" - >> "$logfile" 2>&1 <<'EOF'
import torch, torchvision, mmcv, mmengine, mmpretrain, mmdet  # noqa: F401
from mmcv.ops import nms
boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.]])
dets, keep = nms(boxes, torch.tensor([0.9, 0.8]), 0.5)
assert keep.tolist() == [0], keep
EOF
touch "$stamp"
log "environment ready in $((SECONDS - start)) s: $env_dir"
echo "$py"
