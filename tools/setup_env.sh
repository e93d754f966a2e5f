#!/usr/bin/env bash
# Create (or reuse) the qbheat_mm virtual environment: torch + torchvision, mmcv 2.1.0 built from
# source with its compiled ops, mmengine, mmpretrain, mmdet, test and demo extras.
#
#   tools/setup_env.sh            # prints the environment's python path on the last line
#
# Environment variables:
#   QBHEAT_ENV        folder of the virtual environment
#                     (default: $QBHEAT_CACHE/env-<hash of the pins and of this script>)
#   QBHEAT_CACHE      cache folder (default: ${XDG_CACHE_HOME:-~/.cache}/qbheat_mm); the built mmcv
#                     wheel is kept in $QBHEAT_CACHE/wheels so a rebuilt environment takes seconds
#   PYTHON            base interpreter (default: python3; tested with 3.11)
#   MAX_JOBS          parallel compile jobs for mmcv (default: all cores)
#   FORCE_CUDA=1      also compile mmcv's CUDA ops (needs nvcc matching torch's CUDA)
#
# Why mmcv is built here, and the one flag we change:
#   mmdet 3.3 needs 2.0.0rc4 <= mmcv < 2.2.0 *with* mmcv._ext, and PyPI has only the mmcv 2.1.0
#   sdist. Its setup.py passes -std=c++17, but torch >= 2.14 headers stop with
#   "#error C++20 or later compatible compiler is required to use ATen" (open-mmlab/mmcv#3341).
#   We raise the flag to -std=c++20 in the unpacked sdist (a copy in our cache, never an installed
#   file) and build with ninja and --no-build-isolation (setup.py imports torch and pkg_resources).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$here/requirements"
PYTHON="${PYTHON:-python3}"
cache="${QBHEAT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qbheat_mm}"
key="$(cat "$req"/build.txt "$req"/torch.txt "$req"/mminstall.txt "$req"/runtime.txt \
        "$req"/tests.txt "$req"/optional.txt "${BASH_SOURCE[0]}" | sha1sum | cut -c1-10)"
env_dir="${QBHEAT_ENV:-$cache/env-$key}"
py="$env_dir/bin/python"
stamp="$env_dir/.qbheat_env_complete"

log() { printf '[setup_env %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

if [[ -f "$stamp" ]]; then
    log "reusing $env_dir"
    echo "$py"
    exit 0
fi

start=$SECONDS
mkdir -p "$cache/wheels"
if [[ ! -x "$py" ]]; then
    log "creating virtual environment $env_dir"
    "$PYTHON" -m venv "$env_dir"
fi
pip_install() { "$py" -m pip install --disable-pip-version-check -q "$@"; }

log "1/5 build tools (setuptools<82, wheel, ninja, numpy)"
pip_install -r "$req/build.txt"

log "2/5 torch + torchvision"
pip_install -r "$req/torch.txt"

torch_ver="$("$py" -c 'import torch; print(torch.__version__.split("+")[0])')"
py_tag="$("$py" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
flavour="cpu"
[[ "${FORCE_CUDA:-0}" == "1" ]] && flavour="cuda"
wheel_dir="$cache/wheels/mmcv-2.1.0-torch$torch_ver-$py_tag-$flavour"
mkdir -p "$wheel_dir"

if ! ls "$wheel_dir"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
    log "3/5 building mmcv 2.1.0 with ops against torch $torch_ver ($flavour); about 40 min on 2 cores"
    pip_install "mmengine==0.10.7" "opencv-python-headless>=4.8"
    src="$cache/src"
    rm -rf "$src" && mkdir -p "$src"
    # --no-build-isolation: preparing the sdist's metadata imports torch from this environment.
    "$py" -m pip download --disable-pip-version-check -q --no-deps --no-binary :all: \
        --no-build-isolation mmcv==2.1.0 -d "$src"
    tar -xzf "$src"/mmcv-2.1.0.tar.gz -C "$src"
    if [[ "$("$py" -c 'import torch; v=torch.__version__.split(".");print(int(v[0])*100+int(v[1]))')" -ge 214 ]]; then
        log "raising mmcv's -std=c++17 to -std=c++20 (torch >= 2.14 headers require C++20)"
        sed -i 's/-std=c++17/-std=c++20/g' "$src"/mmcv-2.1.0/setup.py
        grep -q -- '-std=c++20' "$src"/mmcv-2.1.0/setup.py
    fi
    (
        cd "$src/mmcv-2.1.0"
        MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
            "$py" -m pip wheel --disable-pip-version-check --no-build-isolation --no-deps \
            -w "$wheel_dir" . 2>&1 | tail -n 5
    )
    ls "$wheel_dir"/mmcv-2.1.0-*.whl >/dev/null
else
    log "3/5 mmcv wheel found in $wheel_dir"
fi
pip_install "$wheel_dir"/mmcv-2.1.0-*.whl

log "4/5 mmengine, mmpretrain, mmdet and runtime requirements"
pip_install -r "$req/mminstall.txt" -r "$req/runtime.txt"

log "5/5 test and optional requirements"
pip_install -r "$req/tests.txt" -r "$req/optional.txt"

log "checking the stack"
"$py" - <<'EOF'
import torch, torchvision, mmcv, mmengine, mmpretrain, mmdet  # noqa: F401
from mmcv.ops import nms
boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.]])
dets, keep = nms(boxes, torch.tensor([0.9, 0.8]), 0.5)
assert keep.tolist() == [0], keep
EOF
touch "$stamp"
log "environment ready in $((SECONDS - start)) s: $env_dir"
echo "$py"
