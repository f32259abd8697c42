package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// profileFlags are the profiling flags of run and bench, named as the go test
// flags are: a CPU profile and an execution trace of the whole command, and an
// allocation profile written when it ends. Each is read with the go tool
// (go tool pprof FILE, go tool trace FILE).
type profileFlags struct {
	cpu, mem, trace *string
}

func addProfileFlags(fs *flag.FlagSet) *profileFlags {
	return &profileFlags{
		cpu:   fs.String("cpuprofile", "", "write a CPU profile of the command to `FILE` (go tool pprof)"),
		mem:   fs.String("memprofile", "", "write an allocation profile to `FILE` when the command ends (go tool pprof; -sample_index=inuse_space for what is still live)"),
		trace: fs.String("trace", "", "write an execution trace of the command to `FILE` (go tool trace)"),
	}
}

// start creates the files and starts the CPU profile and the trace. A file that
// cannot be created is a usage error naming its flag (ok false; nothing is left
// running). stop ends them and writes the allocation profile; its error names the
// flag whose file could not be written.
func (p *profileFlags) start(stderr io.Writer, cmd string) (stop func() error, ok bool) {
	var files []*os.File
	var stops []func() error
	fail := func(flagName string, err error) (func() error, bool) {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
		for _, f := range files {
			f.Close()
		}
		fmt.Fprintf(stderr, "schedlab %s: --%s: %v\n", cmd, flagName, err)
		return nil, false
	}
	open := func(path string) (*os.File, error) {
		f, err := os.Create(path)
		if err == nil {
			files = append(files, f)
		}
		return f, err
	}
	if *p.cpu != "" {
		f, err := open(*p.cpu)
		if err != nil {
			return fail("cpuprofile", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return fail("cpuprofile", err)
		}
		stops = append(stops, func() error { pprof.StopCPUProfile(); return closeAs("cpuprofile", f) })
	}
	if *p.trace != "" {
		f, err := open(*p.trace)
		if err != nil {
			return fail("trace", err)
		}
		if err := trace.Start(f); err != nil {
			return fail("trace", err)
		}
		stops = append(stops, func() error { trace.Stop(); return closeAs("trace", f) })
	}
	if *p.mem != "" {
		f, err := open(*p.mem)
		if err != nil {
			return fail("memprofile", err)
		}
		stops = append(stops, func() error {
			runtime.GC() // the in-use figures then count only what is live
			err := pprof.Lookup("allocs").WriteTo(f, 0)
			if err != nil {
				f.Close()
				return fmt.Errorf("--memprofile: %w", err)
			}
			return closeAs("memprofile", f)
		})
	}
	return func() error {
		var errs []error
		for _, s := range stops {
			if err := s(); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}, true
}

func closeAs(flagName string, f *os.File) error {
	if err := f.Close(); err != nil {
		return fmt.Errorf("--%s: %w", flagName, err)
	}
	return nil
}
