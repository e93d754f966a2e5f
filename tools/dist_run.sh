#!/usr/bin/env bash
# tools/dist_run.sh SCRIPT GPUS [args...]: torchrun SCRIPT with --launcher pytorch on GPUS
# processes per node (gloo on CPU-only machines). Multi-node: NNODES, NODE_RANK, MASTER_ADDR,
# PORT. Used by dist_train.sh and dist_test.sh.
set -euo pipefail
SCRIPT=$1
GPUS=$2
here="$(cd "$(dirname "$0")" && pwd)"
PYTHONPATH="$here/..${PYTHONPATH:+:$PYTHONPATH}" \
exec "${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" --master_port="${PORT:-29500}" \
    --nproc_per_node="$GPUS" "$here/$SCRIPT" "${@:3}" --launcher pytorch
