package bench

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schedlab/schedlab/scheduler"
)

// RunCells runs cells with up to parallel goroutines (runtime.NumCPU() when
// parallel <= 0) and returns results and errors by cell index, so the outcome does
// not depend on the parallelism. A panicking cell becomes an error wrapping
// ErrPanic; the other cells go on. done, if set, is called after each cell, never
// concurrently with itself, in completion order. A result whose WallSeconds is 0
// gets the cell's measured wall time (see SetWallClock).
func RunCells(cells []Cell, parallel int, done func(i int, res *scheduler.Result, err error)) ([]*scheduler.Result, []error) {
	if parallel <= 0 {
		parallel = defaultParallel()
	}
	parallel = min(parallel, max(len(cells), 1))
	results := make([]*scheduler.Result, len(cells))
	errs := make([]error, len(cells))
	var next atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(cells) {
					return
				}
				res, _, err := runCell(&cells[i])
				results[i], errs[i] = res, err
				if done != nil {
					mu.Lock()
					done(i, res, err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return results, errs
}

// runCell runs one cell (with RunDetail when it has one), recovering a panic and
// timing it.
func runCell(c *Cell) (res *scheduler.Result, det *Detail, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, det, err = nil, nil, fmt.Errorf("%w: %v\n%s", ErrPanic, p, debug.Stack())
		}
	}()
	start := time.Now()
	switch {
	case c.RunDetail != nil:
		res, det, err = c.RunDetail()
	case c.Run != nil:
		res, err = c.Run()
	default:
		return nil, nil, fmt.Errorf("bench: cell %s seed %d has no Run function", c.Key(), c.Seed)
	}
	wall := time.Since(start).Seconds()
	if err != nil {
		return nil, nil, err
	}
	if res == nil {
		return nil, nil, fmt.Errorf("bench: cell %s seed %d returned no result", c.Key(), c.Seed)
	}
	if res.WallSeconds == 0 {
		SetWallClock(res, wall)
	}
	return res, det, nil
}

func defaultParallel() int { return runtime.NumCPU() }
