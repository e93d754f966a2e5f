#!/usr/bin/env bash
# The 256-px Imagenette study and the VOC 2007 detection study in two lanes, one unit per core.
# Every command skips the units already in the records and resumes an interrupted unit (study
# units from their last sixth, detector units from their last checkpoint), so this script can
# be started again after any interruption. The order puts the headline first: QB-Heat and
# MoCo-v2 backbones, each detected on VOC as soon as it exists, then the other methods. A full
# unit's command also makes its token probe when the unit has none yet (from the kept
# backbone, about 25 min), so a restart after the probe changed probes every unit again; a
# unit whose kept backbone is gone (a fresh machine) is passed over. The last seeds (3 and
# more) exist for the token probe's second version: it came after the first units' kept
# backbones were lost with their machine, so it is measured on seeds trained since.
#
#   bash benchmarks/run_study_256.sh            # both lanes in the background, logs in work_dirs/logs/
#   bash benchmarks/run_study_256.sh a          # lane a in the foreground (b likewise)
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-$(tools/setup_env.sh --print)}" || exit 1
study() { "$PY" benchmarks/ssl_study.py --preset imagenette-256 "$@"; }
# each lane detects only its own backbones, so the two lanes never run the same unit
detect() { "$PY" benchmarks/frozen_detection_study.py --only "$@"; }
VARIANTS="qbheat-local qbheat-recurrent-finola qbheat-loss-full"
lane_a() {
    # the supervised backbone's token probe first: it is the probe's acceptance check
    study --phase token-probe --methods supervised
    study --phase search --methods qbheat
    study --phase full --methods qbheat --seeds 0
    detect qbheat_seed0
    study --phase full --methods none --seeds 0
    detect none_seed0
    for seed in 1 2; do
        study --phase full --methods qbheat --seeds $seed
        detect qbheat_seed$seed
    done
    study --phase search --methods supervised
    study --phase full --methods supervised --seeds 0
    detect supervised_seed0
    # VICReg here rather than after the best variant's three seeds: the lanes end together
    study --phase search --methods vicreg
    study --phase full --methods vicreg --seeds 0
    detect vicreg_seed0
    for seed in 3 4; do
        study --phase full --methods mocov2 --seeds $seed
        detect mocov2_seed$seed
    done
    study --phase full --methods qbheat --seeds 5
    detect qbheat_seed5
    # random init's backbone is built again bitwise, but its first detector's checkpoint (and so
    # its column of the picture) was lost: a second detector seed gives both back
    detect none_seed0 --seeds 1
}
lane_b() {
    for seed in 0 1 2; do
        study --phase full --methods mocov2 --seeds $seed
        detect mocov2_seed$seed
    done
    study --phase screen
    study --phase full --methods qbheat --seeds 3
    detect qbheat_seed3
    # random init's backbone is its seed's initialisation: on a fresh machine it is built again
    study --phase token-probe --methods none
    # QB-Heat's second new seed before the variant's third: the headline comparison first
    study --phase full --methods qbheat --seeds 4
    detect qbheat_seed4
    for seed in 0 1 2; do
        study --phase full --methods best-variant --seeds $seed
        detect $(for v in $VARIANTS; do echo ${v}_seed$seed; done)
    done
    # supervised's first backbone and detector checkpoint were lost with their machine: a second
    # seed gives the picture its supervised column back (and the table a second unit)
    study --phase full --methods supervised --seeds 1
    detect supervised_seed1
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
