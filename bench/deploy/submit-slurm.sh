#!/bin/bash
# Submits a sharded schedlab sweep and its merge:
#   ./submit-slurm.sh SHARDS [SCENARIO]      e.g. ./submit-slurm.sh 16 fgd
# Environment as in slurm-array.sh (SCHEDLAB, SPEC, OUT, SEEDS).
set -euo pipefail
shards=${1:?usage: submit-slurm.sh SHARDS [SCENARIO]}
export SCENARIO=${2:-${SCENARIO:-fgd}}
export OUT=${OUT:-$PWD/results/$SCENARIO}
SCHEDLAB=${SCHEDLAB:-schedlab}
here=$(cd "$(dirname "$0")" && pwd)
job=$(sbatch --parsable --array=0-$((shards - 1)) --export=ALL "$here/slurm-array.sh")
echo "sweep: job array $job, $shards shards → $OUT"
merge=$(sbatch --parsable --dependency=afterok:"$job" --job-name=schedlab-merge \
	--output=schedlab-merge-%j.log --wrap "$SCHEDLAB bench merge $OUT")
echo "merge: job $merge (runs when every shard succeeded)"
