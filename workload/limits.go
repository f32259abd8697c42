package workload

import (
	"errors"
	"fmt"
	"math"
)

// Limits of generated workloads. They are memory guards: a job's tasks and a
// cluster's machines are held in memory at once, so a parameter that would exceed
// them (a task-count distribution, a size or scale factor) is an error wrapping
// ErrLimit rather than a run that exhausts the machine. They are far above any
// published trace: the largest Google 2011 job has about 90,000 tasks, the largest
// published cell about 12,600 machines.
const (
	// MaxTasksPerJob bounds the tasks of one generated or inflated job.
	MaxTasksPerJob = 1_000_000
	// MaxNodes bounds the machines of a generated or scaled cluster.
	MaxNodes = 2_000_000
	// MaxRequest bounds one task's request of one resource (milli-cores, MiB,
	// milli-GPUs), so that sums over a job or a node cannot overflow int64.
	MaxRequest = 1 << 50
)

// ErrLimit is wrapped by every error about a generated value beyond the limits
// above; callers can treat it as bad input (bench maps it to a usage error).
var ErrLimit = errors.New("workload: limit exceeded")

// taskCount rounds a drawn task count x (at least 1) and checks it against
// MaxTasksPerJob; what names the quantity in the error.
func taskCount(x float64, what string) (int, error) {
	if !(x <= MaxTasksPerJob) { // NaN too
		return 0, fmt.Errorf("%w: %s: %g tasks in one job, more than MaxTasksPerJob (%d)", ErrLimit, what, x, MaxTasksPerJob)
	}
	return max(1, int(math.Round(x))), nil
}

// requestValue rounds a drawn request x and checks it against MaxRequest.
func requestValue(x float64, what string) (int64, error) {
	if !(x <= MaxRequest) {
		return 0, fmt.Errorf("%w: %s: request %g, more than MaxRequest (%d)", ErrLimit, what, x, int64(MaxRequest))
	}
	return int64(math.Round(x)), nil
}

// nodeCount checks a cluster size against MaxNodes.
func nodeCount(n float64, what string) error {
	if !(n <= MaxNodes) {
		return fmt.Errorf("%w: %s: %g machines, more than MaxNodes (%d)", ErrLimit, what, n, MaxNodes)
	}
	return nil
}
