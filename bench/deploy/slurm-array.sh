#!/bin/bash
# A schedlab sweep as a Slurm job array: array task i runs shard i of N
# (schedlab reads SLURM_ARRAY_TASK_ID, less SLURM_ARRAY_TASK_MIN, and the shard
# count from SLURM_ARRAY_TASK_COUNT). Each task writes $OUT/shard-IIII-of-NNNN on
# the shared file system; a requeued task resumes its shard. Submit with
# submit-slurm.sh, which also queues the merge, or by hand:
#
#   sbatch --array=0-15 --export=ALL,SCENARIO=fgd,OUT=$PWD/results/fgd slurm-array.sh
#
#SBATCH --job-name=schedlab-sweep
#SBATCH --array=0-15
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --output=schedlab-%A_%a.log
set -euo pipefail

SCHEDLAB=${SCHEDLAB:-schedlab}          # path to the schedlab binary (go build ./cmd/schedlab)
SCENARIO=${SCENARIO:-fgd}               # a scenario of `schedlab list`, or set SPEC
SPEC=${SPEC:-}                          # a sweep spec file (overrides SCENARIO)
OUT=${OUT:-$PWD/results/${SCENARIO}}    # shared output directory
SEEDS=${SEEDS:-0}                       # 0 = the scenario's own

what=(--scenario "$SCENARIO")
if [ -n "$SPEC" ]; then what=(--spec "$SPEC"); fi

export CI=true   # no progress bar in the log
exec "$SCHEDLAB" bench "${what[@]}" --seeds "$SEEDS" \
	--parallel "${SLURM_CPUS_PER_TASK:-1}" --out "$OUT"
