package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/bench/families"
)

// Exit statuses (DESIGN.md): 0 success, 2 bad usage or bad input, 1 a run that
// failed.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// version is the release version; builds may set it with
// -ldflags "-X main.version=v1.2.3".
var version = "v0.1.0-dev"

// registry holds every name the command knows: the placers, schedulers,
// workloads and scenarios of every family in bench/families.
var registry = newRegistry()

// newRegistry returns a registry with every family registered.
func newRegistry() *bench.Registry {
	r := bench.NewRegistry()
	families.Register(r)
	return r
}

// traceCommand runs `schedlab trace ...`: runTrace of trace.go. It is a variable
// only so that tests can replace it.
var traceCommand = runTrace

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command line, testable: it returns the exit status and never
// panics (a panic is reported as a failed run, exit 1).
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "schedlab: internal error: %v\n", p)
			if os.Getenv("SCHEDLAB_DEBUG") != "" {
				stderr.Write(debug.Stack())
			}
			code = exitFail
		}
	}()
	if len(args) == 0 {
		return runDefault(nil, stdout, stderr)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return runRun(rest, stdout, stderr)
	case "list":
		return runList(rest, stdout, stderr)
	case "version", "--version", "-version":
		return runVersion(rest, stdout, stderr)
	case "bench":
		return runBench(rest, stdout, stderr)
	case "trace":
		return traceCommand(rest, stdout, stderr)
	case "reproduce":
		return runReproduce(rest, stdout, stderr)
	case "default":
		return runDefault(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, topUsage)
		return exitOK
	}
	if strings.HasPrefix(cmd, "-") {
		// Flags without a command: the default comparison with options.
		return runDefault(args, stdout, stderr)
	}
	fmt.Fprintf(stderr, "schedlab: unknown command %q (valid: run, list, trace, bench, reproduce, version, help)\n\n%s", cmd, topUsage)
	return exitUsage
}

const topUsage = `usage:
  schedlab                      compare several schedulers and placers on the built-in workload
  schedlab run     --scheduler NAME[:k=v,...] --placer NAME[:k=v,...] --workload SPEC
                   --cluster SPEC --seed N --horizon DURATION --window all|arrivals|START,END
                   --warmup DURATION --format table|json --out FILE
  schedlab list    [--format table|json]   schedulers, placers, workloads, scenarios, trace formats
  schedlab trace   stats|convert|sample --format FORMAT PATH...
  schedlab bench   --scenario NAME | --spec FILE [--seeds N] [--parallel N] [--shard i/n] --out DIR
  schedlab bench merge --out DIR DIR...
  schedlab reproduce [--quick] [--only PREFIX,...] [--format table|markdown|json]
                   published results as claims, each graded against its tolerance
  schedlab version

Workload SPEC: NAME[:k=v,...] (see schedlab list) or trace:FORMAT:PATH[,PATH...]. A parameter
               of type dist takes a distribution: 5, exp(MEAN), lognormal(MU;SIGMA),
               median(M;SIGMA), pareto(XM;ALPHA), uniform(LO;HI), empirical(P:Q;...), each
               optionally clamped [LO;HI] (schedlab list, DISTRIBUTIONS, has the details).
Cluster SPEC:  nodes=N,cpu=MILLI,mem=MIB,gpu=N[,gpumodel=M,disk=MIB,racks=R] (shapes joined
               with +), trace (the workload's machines) or auto (default).
Exit status: 0 success, 2 bad usage or input, 1 a run that failed.
`

// failure prints err for command cmd and returns its exit status: 2 for a
// bench.UsageError (naming the flag of its field), else 1.
func failure(stderr io.Writer, cmd string, err error) int {
	if ue, ok := bench.IsUsage(err); ok {
		if f := ue.Field; f != "" {
			fmt.Fprintf(stderr, "%s: --%s: %v\n", progName(cmd), strings.ReplaceAll(f, "_", "-"), ue.Err)
		} else {
			fmt.Fprintf(stderr, "%s: %v\n", progName(cmd), ue.Err)
		}
		return exitUsage
	}
	msg := err.Error()
	if errors.Is(err, bench.ErrPanic) && os.Getenv("SCHEDLAB_DEBUG") == "" {
		msg, _, _ = strings.Cut(msg, "\n") // the stack only on request
	}
	fmt.Fprintf(stderr, "%s: %s\n", progName(cmd), msg)
	return exitFail
}

// progName is "schedlab CMD", or "schedlab" for the default comparison (cmd "").
func progName(cmd string) string {
	if cmd == "" {
		return "schedlab"
	}
	return "schedlab " + cmd
}

// intFlag is an integer flag with a declared range [lo, hi].
type intFlag struct {
	v      *int
	lo, hi int
}

func (f intFlag) String() string {
	if f.v == nil {
		return "0"
	}
	return strconv.Itoa(*f.v)
}

func (f intFlag) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < f.lo || n > f.hi {
		return fmt.Errorf("want an integer in [%d, %d]", f.lo, f.hi)
	}
	*f.v = n
	return nil
}

// intVar defines an integer flag with default def and range [lo, hi].
func intVar(fs *flag.FlagSet, name string, def, lo, hi int, usage string) *int {
	v := new(int)
	*v = def
	fs.Var(intFlag{v, lo, hi}, name, fmt.Sprintf("%s (%d..%d)", usage, lo, hi))
	return v
}

// Ranges of the integer flags.
const (
	maxParallel = 4096      // --parallel
	maxSeeds    = 100000    // --seeds
	maxShards   = 1_000_000 // --shards
)

func runVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "schedlab version: unexpected argument %q\n", args[0])
		return exitUsage
	}
	v := version
	rev := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = s.Value[:12]
			}
			if s.Key == "vcs.modified" && s.Value == "true" && rev != "" {
				rev += "+dirty"
			}
		}
	}
	fmt.Fprintf(stdout, "schedlab %s", v)
	if rev != "" {
		fmt.Fprintf(stdout, " (%s)", rev)
	}
	fmt.Fprintf(stdout, " %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
