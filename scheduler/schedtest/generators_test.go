package schedtest

import (
	"math/rand"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"

	"github.com/schedlab/schedlab/scheduler"
)

// Every generated scenario, and every shrink of it, builds into input the engine
// accepts; shrinking always terminates.
func TestGeneratedScenariosAreValidAndShrinkingTerminates(t *testing.T) {
	params := gopter.DefaultTestParametersWithSeed(propSeed(DefaultSeed))
	params.MinSuccessfulTests = propCases(100)
	props := gopter.NewProperties(params)
	props.Property("scenarios and their shrinks build and run; repeated shrinking ends", prop.ForAll(func(sc Scenario) string {
		cur := sc
		for steps := 0; ; steps++ {
			if steps > 2000 {
				return "shrinking did not terminate"
			}
			if steps%8 == 0 {
				b := cur.Build()
				m, _ := scheduler.NewMonolithic(scheduler.MonolithicConfig{})
				if _, err := scheduler.Run(b.Config, &scheduler.SliceSource{Jobs: b.Jobs}, m); err != nil {
					return "the engine rejects a generated scenario: " + err.Error() + "\n" + cur.String()
				}
			}
			cands := scenarioShrinks(cur)
			if len(cands) == 0 {
				return ""
			}
			// Walk a long path: mostly small simplifications, sometimes a removal.
			cur = cands[(steps*7919)%len(cands)]
		}
	}, Scenarios(Shape{})))
	props.TestingRun(t)
}

func TestGeneratorsRespectShape(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	sh := Shape{MaxNodes: 3, MaxJobs: 4, MaxTasks: 3, NoGPUs: true, NoGangs: true, NoDAGs: true,
		NoFailures: true, NoConstraints: true, NoTenants: true, NoHorizon: true}
	for i := 0; i < 300; i++ {
		sc := GenScenario(r, sh)
		if len(sc.Nodes) < 1 || len(sc.Nodes) > 3 || len(sc.Jobs) > 4 || sc.Horizon != 0 || len(sc.Failures)+len(sc.Adds)+len(sc.Quotas) > 0 {
			t.Fatalf("shape not respected: %v", sc)
		}
		for _, n := range sc.Nodes {
			if n.GPUs != 0 || len(n.Labels) != 0 {
				t.Fatalf("GPU or label on a node: %v", sc)
			}
		}
		for _, j := range sc.Jobs {
			if j.MinMember != 0 || len(j.Groups) != 0 || len(j.After) != 0 || j.Selector != "" || j.Distinct || j.Tenant != "" {
				t.Fatalf("a disabled feature was generated: %v", sc)
			}
			for _, ts := range j.Tasks {
				if ts.GPU != 0 || ts.Runtime < 0 {
					t.Fatalf("GPU or endless task: %v", sc)
				}
			}
		}
	}
	live := Shape{Live: true}
	for i := 0; i < 300; i++ {
		sc := GenScenario(r, live)
		for _, f := range sc.Failures {
			if f.For <= 0 || f.Remove {
				t.Fatalf("a live scenario has a node that never recovers: %v", sc)
			}
		}
		if sc.Horizon != 0 {
			t.Fatalf("a live scenario has a horizon: %v", sc)
		}
	}
}

func TestExportedGeneratorsShrink(t *testing.T) {
	p := gopter.DefaultGenParameters().WithSize(10)
	p.Rng.Seed(3)
	for name, g := range map[string]gopter.Gen{
		"Clusters":         Clusters(Shape{}),
		"Workloads":        Workloads(Shape{}),
		"Gangs":            Gangs(Shape{}),
		"FailureSchedules": FailureSchedules(Shape{}, 4),
	} {
		found := false
		for i := 0; i < 50 && !found; i++ {
			res := g(p)
			v, ok := res.Retrieve()
			if !ok {
				t.Fatalf("%s: no value", name)
			}
			if j, ok := v.(JobSpec); ok && (j.MinMember < 1 || j.MinMember > j.numTasks()) {
				t.Fatalf("Gangs: MinMember %d of %d tasks", j.MinMember, j.numTasks())
			}
			if _, ok := res.Shrinker(v)(); ok {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no value in 50 had a shrink", name)
		}
	}
}
