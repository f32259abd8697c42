package families

import (
	"fmt"
	"math"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/policies/binpack"
	"github.com/schedlab/schedlab/scheduler"
)

// The FGD claims of `schedlab reproduce` (docs/fgd.md): the paper's published
// means, its ranking of the policies, and the run-for-run comparison with the
// paper's simulator.

// FGDTableTolerance is how far (percentage points) a mean over seeds 42–51 may lie
// from the paper's published mean on the default pod list.
const FGDTableTolerance = 0.15

// fgdRuns rebuilds the FGD runs of a scenario's results.
func fgdRuns(results []*scheduler.Result) []*FGDRun {
	var runs []*FGDRun
	for _, r := range results {
		if r != nil {
			if run := fgdRunFromResult(r); run != nil {
				runs = append(runs, run)
			}
		}
	}
	return runs
}

// fgdDefaultSummaries are the summaries that have published means (default pod
// list, tune 1.3), in policy order.
func fgdDefaultSummaries(results []*scheduler.Result) []FGDSummary {
	var out []FGDSummary
	for _, s := range SummarizeFGD(fgdRuns(results)) {
		if _, ok := s.Paper(); ok {
			out = append(out, s)
		}
	}
	return out
}

func gradeFGDTable(_ *bench.Params, _ []bench.Cell, results []*scheduler.Result) ([]bench.Check, string) {
	var checks []bench.Check
	sums := fgdDefaultSummaries(results)
	for _, s := range sums {
		p, _ := s.Paper()
		checks = append(checks,
			bench.Near(s.Policy.String()+": GPU alloc % at 130 % arrived", p[0], FGDTableTolerance, false, bench.Value(s.Alloc130[0]), "%"),
			bench.Near(s.Policy.String()+": fragmentation ratio % at 80 % arrived", p[1], FGDTableTolerance, false, bench.Value(s.Frag80[0]), "%"),
			bench.Near(s.Policy.String()+": unallocated GPU % at 100 % arrived", p[2], FGDTableTolerance, false, bench.Value(s.Unalloc100[0]), "%"))
	}
	note := ""
	if len(sums) > 0 {
		note = fmt.Sprintf("Means over the %d seeds the paper uses (42–51), compared with its published means; pp = percentage points. "+
			"Random draws among feasible nodes in a different order from the paper's simulator, so its means can differ by chance; fgd-run-for-run compares it as a distribution.", sums[0].Seeds)
	}
	return checks, note
}

func gradeFGDRanking(_ *bench.Params, _ []bench.Cell, results []*scheduler.Result) ([]bench.Check, string) {
	sums := fgdDefaultSummaries(results)
	if len(sums) < 2 {
		return nil, ""
	}
	var fgd *FGDSummary
	bestAlloc, bestFrag := true, true
	var others []string
	for i := range sums {
		if sums[i].Policy == binpack.GPUFGD {
			fgd = &sums[i]
		}
	}
	if fgd == nil {
		return nil, ""
	}
	for _, s := range sums {
		if s.Policy == binpack.GPUFGD {
			continue
		}
		others = append(others, s.Policy.String())
		bestAlloc = bestAlloc && fgd.Alloc130[0] > s.Alloc130[0]
		bestFrag = bestFrag && fgd.Frag80[0] < s.Frag80[0]
	}
	return []bench.Check{
		bench.Holds("FGD allocates the most GPU at 130 % arrived", "FGD highest", true, bestAlloc),
		bench.Holds("FGD has the lowest fragmentation ratio at 80 % arrived", "FGD lowest", true, bestFrag),
	}, "Compared with " + strings.Join(others, ", ") + "."
}

func gradeFGDRunForRun(_ *bench.Params, _ []bench.Cell, results []*scheduler.Result) ([]bench.Check, string) {
	runs := fgdRuns(results)
	c := CompareFGDArtifact(runs)
	if len(c.Diffs) == 0 && len(c.Random) == 0 {
		return nil, ""
	}
	n, wa, wf := c.Identical()
	k := 0
	for _, r := range c.Random {
		if r.Consistent() {
			k++
		}
	}
	return []bench.Check{
			bench.Count(fmt.Sprintf("deterministic per-seed curves identical to the artifact's (every point within %.2f pp)", FGDRunTolerance), "the paper's simulator's runs", len(c.Diffs), len(c.Diffs), n),
			bench.Count(fmt.Sprintf("Random checkpoints with no difference in mean at α = %.2f (Welch)", FGDRandomAlpha), "the artifact's distribution over seeds", len(c.Random), len(c.Random), k),
		}, fmt.Sprintf("Largest deviations: %s pp GPU alloc, %s pp fragmentation ratio. Pod lists: %s.",
			bench.Num(math.Max(0, wa.MaxAlloc)), bench.Num(math.Max(0, wf.MaxFrag)), strings.Join(fgdTraces(runs), ", "))
}

const fgdClaimSource = "FGD (Weng et al., USENIX ATC 2023), Figs. 7, 9"

// The FGD claims. They need the openb data ($SCHEDLAB_OPENB or
// ../shared/data/openb); without it they are not run.
var (
	fgdClaimTable = bench.ClaimSpec{ID: "fgd-table", Source: fgdClaimSource,
		Claim:    "The published means over seeds 42–51 on the default openb pod list at tune 1.3: GPU allocation at 130 % arrived demand, fragmentation ratio at 80 % and unallocated GPU at 100 %, for six policies.",
		Scenario: "fgd", Quick: "fgd", Grade: gradeFGDTable}
	fgdClaimRanking = bench.ClaimSpec{ID: "fgd-ranking", Source: fgdClaimSource,
		Claim:    "FGD allocates more GPU and fragments less than random, dot-product, clustering, packing and best-fit.",
		Scenario: "fgd", Quick: "fgd", Grade: gradeFGDRanking}
	fgdClaimRunForRun = bench.ClaimSpec{ID: "fgd-run-for-run", Source: "FGD artifact (hkust-adsl/kubernetes-scheduler-simulator), cached results",
		Claim:    "The paper's simulator's per-seed curves: every deterministic run identical, Random consistent as a distribution over seeds, on the default, cpu050, gpushare100, gpuspec33 and multigpu50 pod lists.",
		Scenario: "fgd:trace=default+cpu050+gpushare100+gpuspec33+multigpu50", Quick: "fgd", Grade: gradeFGDRunForRun}
)

// registerFGDClaims registers fgd-table, fgd-ranking and fgd-run-for-run.
func registerFGDClaims(reg *bench.Registry) {
	for _, c := range []bench.ClaimSpec{fgdClaimTable, fgdClaimRanking, fgdClaimRunForRun} {
		reg.RegisterClaim(c)
	}
}
