package families

import (
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/schedlab/schedlab/bench"
	"github.com/schedlab/schedlab/policies/mesos"
	"github.com/schedlab/schedlab/scheduler"
)

// The Mesos scenarios (REFERENCES.md §4, V11 and V12 of §3.5/§7.2):
//
//   - mesos-decision-time: the Omega paper's Mesos result — batch and service
//     frameworks on the Omega workload as the service framework's decision time
//     grows; locked fraction and abandoned batch jobs rise.
//   - mesos-gang-hoarding: gang frameworks that hoard offers, against hold timeout
//     and back-off; terminal deadlock rate, episodes, hoarded-idle, beside Omega
//     all-or-nothing and strict gang schedulers on the same workload.
//   - mesos-offer-starvation: a large-job framework behind k small frameworks that
//     decline with refuse_seconds 5 s or 120 s (MESOS-6111, SPARK-13001).
//
// Each report writes a Markdown table and a PNG/SVG plot with the expected trend
// (dashed) beside the measured one.

// Mesos metrics for tables and plots.
var (
	metricMesosLocked = bench.Metric{Key: "extra." + mesos.KeyLockedFraction, Name: "locked fraction", Unit: "%",
		Get: func(r *scheduler.Result) float64 { return 100 * r.Extra[mesos.KeyLockedFraction] }}
	metricMesosHoarded = bench.Metric{Key: "extra." + mesos.KeyHoardedIdle, Name: "hoarded-idle fraction", Unit: "%",
		Get: func(r *scheduler.Result) float64 { return 100 * r.Extra[mesos.KeyHoardedIdle] }}
	metricMesosAbandonedBatch = bench.Metric{Key: "extra." + mesos.KeyAbandonedJobs + ".batch", Name: "abandoned batch jobs", Unit: "",
		Get: func(r *scheduler.Result) float64 { return r.Extra[mesos.KeyAbandonedJobs+".batch"] }}
	metricMesosStarvedBatch = bench.Metric{Key: "extra." + mesos.KeyStarvedJobs + ".batch", Name: "starved batch jobs", Unit: "",
		Get: func(r *scheduler.Result) float64 { return r.Extra[mesos.KeyStarvedJobs+".batch"] }}
	metricMesosBatchJobs = bench.Metric{Key: "extra." + mesos.KeyJobs + ".batch", Name: "batch jobs", Unit: "",
		Get: func(r *scheduler.Result) float64 { return r.Extra[mesos.KeyJobs+".batch"] }}
	mesosMetricEpisodesPer1000 = bench.Metric{Key: "deadlock.episodes_per_gang", Name: "deadlock episodes per gang submitted", Unit: "",
		Get: func(r *scheduler.Result) float64 {
			return float64(r.Deadlock.Episodes) / math.Max(1, r.Extra["gangs_submitted"])
		}}
	mesosMetricGangsRun = bench.Metric{Key: "gang_wait_seconds.n_started", Name: "gangs started", Unit: "", Get: func(r *scheduler.Result) float64 { return float64(r.GangWait.NStarted) }}
	mesosMetricUtil     = bench.Metric{Key: "utilization.cpu", Name: "CPU utilization", Unit: "%", Get: func(r *scheduler.Result) float64 { return 100 * r.Utilization.CPU }}
	mesosMetricHeldIdle = bench.Metric{Key: "held_idle.cpu", Name: "CPU held idle", Unit: "%", Get: func(r *scheduler.Result) float64 { return 100 * r.HeldIdle.CPU }}
)

// mesosMeanCell formats mean ± 95% half-width of m over a group (meanCICell).
func mesosMeanCell(g *bench.Group, m bench.Metric) string { return meanCICell(g, m) }

func mesosMeanOf(g *bench.Group, m bench.Metric) float64 {
	mean, _ := bench.MeanCI(g.Values(m))
	return mean
}

// mesosTrendWord describes how ys move with increasing x: rises, falls, flat or mixed.
func mesosTrendWord(ys []float64) string {
	var up, down bool
	var first, last float64
	n := 0
	for _, y := range ys {
		if math.IsNaN(y) {
			continue
		}
		if n == 0 {
			first = y
		}
		last = y
		n++
	}
	if n < 2 {
		return "n/a"
	}
	scale := math.Max(math.Abs(first), math.Abs(last))
	tol := 0.05*scale + 1e-9
	prev := math.NaN()
	for _, y := range ys {
		if math.IsNaN(y) {
			continue
		}
		if !math.IsNaN(prev) {
			if y > prev+tol {
				up = true
			} else if y < prev-tol {
				down = true
			}
		}
		prev = y
	}
	switch {
	case up && !down:
		return "rises"
	case down && !up:
		return "falls"
	case !up && !down:
		return "flat"
	}
	if last > first+tol {
		return "rises (not monotone)"
	}
	if last < first-tol {
		return "falls (not monotone)"
	}
	return "mixed"
}

func mesosWriteReport(dir, name, text string) error {
	return os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
}

func mesosTableMarkdown(t *bench.Table) string {
	var b strings.Builder
	_ = t.WriteMarkdown(&b)
	return b.String()
}

// The Mesos scenario files name the shared list helpers of listparam.go
// with the mesos prefix.
func mesosSplitPlus(s string) []string { return splitPlus(s) }

func mesosDurationLabel(t scheduler.Time) string { return durationLabel(t) }

func mesosParseDurations(kind, s string) ([]scheduler.Time, error) {
	return parseDurations(kind, s)
}

func registerMesosScenarios(reg *bench.Registry) {
	reg.RegisterScenario(mesosDecisionTimeScenario())
	reg.RegisterScenario(mesosHoardingScenario())
	reg.RegisterScenario(mesosStarvationScenario())
	registerMesosClaims(reg)
}
