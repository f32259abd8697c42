package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/schedlab/schedlab/scheduler"
)

// tinySource is a small seeded workload for the package's tests: jobs of 1..4
// tasks, a third of them gangs, arriving about every 2 s.
type tinySource struct {
	n, i int
	r    interface{ IntN(int) int }
	t    scheduler.Time
}

func (s *tinySource) Next() (*scheduler.Job, error) {
	if s.i >= s.n {
		return nil, io.EOF
	}
	s.t += scheduler.Time(1+s.r.IntN(3000)) * scheduler.Millisecond
	k := 1 + s.r.IntN(4)
	j := &scheduler.Job{ID: scheduler.JobID(s.i), Submit: s.t, Tasks: make([]scheduler.Task, k)}
	for x := range j.Tasks {
		j.Tasks[x] = scheduler.Task{Request: scheduler.Res(int64(500+s.r.IntN(4)*500), 1024, 0),
			Runtime: scheduler.Time(5+s.r.IntN(30)) * scheduler.Second}
	}
	if s.i%3 == 0 && k > 1 {
		j.MinMember = int32(k)
	}
	s.i++
	return j, nil
}

// tinyBuilt counts tiny workloads built, i.e. cells run.
var tinyBuilt atomic.Int64

func init() {
	RegisterWorkload(WorkloadSpec{Name: "tiny", Doc: "test workload",
		Params: []Param{{Name: "jobs", Type: TypeInt, Range: "[0, 100000]", Default: "40", Doc: "jobs"}},
		New: func(p *Params, seed uint64) (*Workload, error) {
			tinyBuilt.Add(1)
			n := p.Int("jobs", 40)
			return &Workload{Source: &tinySource{n: n, r: scheduler.NewRand(seed, "tiny")}}, p.Err()
		}})
}

type scheduler_Node = scheduler.Node

func nodeID(i int) scheduler.NodeID { return scheduler.NodeID(i) }

// shuffleLike applies Compact's seeded machine order.
func shuffleLike(ns []scheduler.Node, seed uint64) {
	r := scheduler.NewRand(seed, "compaction-order")
	r.Shuffle(len(ns), func(i, j int) { ns[i], ns[j] = ns[j], ns[i] })
}

func readNonEmpty(dir, name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err == nil && len(b) == 0 {
		err = fmt.Errorf("%s is empty", name)
	}
	return string(b), err
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
