#!/usr/bin/env bash
# The 256-px Imagenette study and the VOC 2007 detection study in two lanes, one unit per core.
# Every command skips the units already in the records and resumes an interrupted unit from its
# last sixth, so this script can be started again after any interruption.
#
#   bash benchmarks/run_study_256.sh            # both lanes in the background, logs in work_dirs/logs/
#   bash benchmarks/run_study_256.sh a          # lane a in the foreground (b likewise)
#
# After the screen phase, run the best QB-Heat variant's full units too, e.g.
#   $PY benchmarks/ssl_study.py --preset imagenette-256 --phase full --methods qbheat-local --seeds 0 1 2
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-$(tools/setup_env.sh --print)}" || exit 1
study() { "$PY" benchmarks/ssl_study.py --preset imagenette-256 "$@"; }
lane_a() {
    study --phase search --methods qbheat
    study --phase search --methods supervised
    study --phase screen
    study --phase full --methods qbheat --seeds 0 1 2
    study --phase full --methods none supervised --seeds 0
    "$PY" benchmarks/frozen_detection_study.py
}
lane_b() {
    study --phase search --methods mocov2
    study --phase search --methods vicreg
    study --phase full --methods mocov2 --seeds 0 1 2
    study --phase full --methods vicreg --seeds 0
}
case "${1:-both}" in
    a) lane_a ;;
    b) lane_b ;;
    both)
        mkdir -p work_dirs/logs
        nohup bash "$0" a > work_dirs/logs/study256_lane_a.log 2>&1 &
        nohup bash "$0" b > work_dirs/logs/study256_lane_b.log 2>&1 &
        echo "lanes started; logs: work_dirs/logs/study256_lane_{a,b}.log" ;;
    *) echo "usage: $0 [a|b|both]" >&2; exit 2 ;;
esac
