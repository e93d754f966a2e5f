#!/usr/bin/env bash
# tools/dist_run.sh SCRIPT GPUS [args...]: torchrun SCRIPT with --launcher pytorch on GPUS
# processes per node (gloo on CPU-only machines). Multi-node: NNODES, NODE_RANK, MASTER_ADDR,
# PORT. Used by dist_train.sh and dist_test.sh.
set -euo pipefail
SCRIPT=$1
GPUS=$2
here="$(cd "$(dirname "$0")" && pwd)"
PY="${PYTHON:-python}"
if ! "$PY" -c 'import torch, mmengine' 2>/dev/null; then
    # a new shell's python lacks the stack: use the project environment (tools/setup_env.sh)
    echo "[qbheat_mm] $PY has no torch/mmengine: using the project environment" >&2
    PY="$("$here/setup_env.sh" | tail -n 1)"
fi
PYTHONPATH="$here/..${PYTHONPATH:+:$PYTHONPATH}" \
exec "$PY" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" --master_port="${PORT:-29500}" \
    --nproc_per_node="$GPUS" "$here/$SCRIPT" "${@:3}" --launcher pytorch
