// Package benchtest holds what the tests of bench and bench/families share: a
// tiny seeded workload and small file helpers. It imports only the core, so the
// engine's own tests can use it.
package benchtest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/schedlab/schedlab/scheduler"
)

// TinySource returns a small seeded workload of n jobs: 1..4 tasks each, a third
// of the multi-task ones gangs, arriving about every 2 s.
func TinySource(n int, seed uint64) scheduler.Source {
	return &tinySource{n: n, r: scheduler.NewRand(seed, "tiny")}
}

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

// ReadNonEmpty returns the contents of dir/name, or an error if it cannot be read
// or is empty.
func ReadNonEmpty(dir, name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err == nil && len(b) == 0 {
		err = fmt.Errorf("%s is empty", name)
	}
	return string(b), err
}
