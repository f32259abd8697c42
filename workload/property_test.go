package workload

import (
	"io"
	"reflect"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/schedlab/schedlab/scheduler"
)

// knobs are the generated parameters of a Synthetic configuration.
type knobs struct {
	Gang, MinMember, DAG, GPU, Share, Service, Corr, Sigma float64
	TasksMedian, Stages                                    float64
	Arrival                                                int
	PerTask                                                bool
	Seed                                                   uint64
}

func (k knobs) config() Synthetic {
	c := DefaultSynthetic()
	c.Jobs = 150
	c.GangFraction, c.MinMemberFraction, c.DAGFraction = k.Gang, k.MinMember, k.DAG
	c.GPUFraction, c.GPUShareFraction, c.ServiceFraction = k.GPU, k.Share, k.Service
	c.CPUMemCorrelation, c.TaskRuntimeSigma = k.Corr, k.Sigma
	c.Tasks = LogNormalMedian(k.TasksMedian, 1).Clamp(1, 200)
	c.DAGStages = Const(k.Stages)
	c.GPUCount = Choice{Values: []int64{1, 2, 4, 8}}
	c.GPUShareMilli = UniformDist(1, 1000)
	c.PerTaskRequests = k.PerTask
	c.Tenants = 3
	c.Priority = Choice{Values: []int64{0, 1, 2}}
	switch k.Arrival {
	case 1:
		c.Arrival = Arrival{Kind: Bursty, Rate: 0.5, BurstRate: 20, CalmMean: scheduler.Minute, BurstMean: 5 * scheduler.Second}
	case 2:
		c.Arrival = Arrival{Kind: Diurnal, Rate: 2, Amplitude: 0.9}
	}
	return c
}

// checkStream reports the first way a stream breaks the Source contract or the
// engine's job validation, or "" when it is valid.
func checkStream(src scheduler.Source) string {
	prev := scheduler.Time(0)
	for {
		j, err := src.Next()
		if err == io.EOF {
			return ""
		}
		if err != nil {
			return err.Error()
		}
		switch {
		case j.Submit < prev:
			return "submit order"
		case len(j.Tasks) == 0:
			return "empty job"
		case j.MinMember < 0 || int(j.MinMember) > len(j.Tasks):
			return "MinMember out of range"
		case j.MinMember > 0 && len(j.Groups) > 0:
			return "gang and DAG"
		}
		prev = j.Submit
		for gi, g := range j.Groups {
			for _, a := range g.After {
				if a < 0 || int(a) >= gi {
					return "DAG edge"
				}
			}
		}
		for i := range j.Tasks {
			t := &j.Tasks[i]
			switch {
			case t.Request.AnyNegative():
				return "negative request"
			case t.Runtime < 1:
				return "runtime < 1µs"
			case t.GPUCount < 0 || t.GPUCount > scheduler.MaxGPUsPerNode:
				return "GPU count"
			case t.GPUCount > 0 && (t.GPUMilli < 1 || t.GPUMilli > 1000):
				return "GPU milli"
			case t.GPUCount > 1 && t.GPUMilli != 1000:
				return "multi-GPU share"
			case t.Request[scheduler.GPU] != int64(t.GPUCount)*int64(t.GPUMilli):
				return "GPU request"
			case len(j.Groups) > 0 && (t.Group < 0 || int(t.Group) >= len(j.Groups)):
				return "group index"
			case len(j.Groups) == 0 && t.Group != 0:
				return "group without DAG"
			case int(t.Index) != i:
				return "task index"
			}
		}
	}
}

func TestPropertyEveryConfigYieldsAValidDeterministicStream(t *testing.T) {
	params := gopter.DefaultTestParametersWithSeed(20261127)
	params.MinSuccessfulTests = 60
	t.Logf("gopter seed %d", params.Seed())
	props := gopter.NewProperties(params)
	frac := gen.Float64Range(0, 1)
	knobGen := gen.Struct(
		reflect.TypeOf(knobs{}),
		map[string]gopter.Gen{
			"Gang": frac, "MinMember": frac, "DAG": frac, "GPU": frac, "Share": frac,
			"Service": gen.Float64Range(0, 0.2), "Corr": gen.Float64Range(-1, 1), "Sigma": gen.Float64Range(0, 1),
			"TasksMedian": gen.Float64Range(1, 50), "Stages": gen.Float64Range(1, 10),
			"Arrival": gen.IntRange(0, 2), "PerTask": gen.Bool(), "Seed": gen.UInt64(),
		})
	props.Property("valid stream, same seed ⇒ same stream", prop.ForAll(
		func(k knobs) string {
			c := k.config()
			a, err := NewSynthetic(c, k.Seed)
			if err != nil {
				return err.Error()
			}
			if why := checkStream(a); why != "" {
				return why
			}
			x, _ := NewSynthetic(c, k.Seed)
			y, _ := NewSynthetic(c, k.Seed)
			if fingerprintOf(x) != fingerprintOf(y) {
				return "same seed, different stream"
			}
			return ""
		}, knobGen))
	props.TestingRun(t)
}
