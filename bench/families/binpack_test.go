package families

import (
	"strings"
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

// TestBinpackPlacersRegistered builds every binpack placer from its name with its
// defaults and with a parameter set, and checks it places a GPU task on a small
// cluster and that bad parameters are errors naming the parameter.
func TestBinpackPlacersRegistered(t *testing.T) {
	specs := []string{
		"firstfit", "bestfit", "bestfit:norm=sum", "bestfit:norm=l2,key=mem", "nextfit", "worstfit", "worstfit:norm=max",
		"random", "randomk", "randomk:k=3,prefer=least", "tetris", "ffd",
		"kube", "kube:strategy=most,pct=50", "kube:strategy=rtcr,shape=0:0+50:2+100:10,resources=cpu:2+mem:1,balanced=legacy",
		"nomad", "nomad:limit=5,algorithm=spread", "volcano", "volcano:resources=cpu:2+mem:1+gpu:1",
		"gpu-random", "gpu-dotprod", "gpu-clustering", "gpu-packing", "gpu-bestfit", "gpu-fgd", "gpu-fgd:refresh=10",
	}
	for _, spec := range specs {
		p, err := testRegistry.NewPlacer(spec)
		if err != nil {
			t.Errorf("%s: %v", spec, err)
			continue
		}
		s, err := scheduler.NewState([]scheduler.Node{
			{Capacity: scheduler.Res(4000, 8192, 0)},
			{Capacity: scheduler.Res(16000, 65536, 4000), GPUs: 4, GPUModel: "T4"},
		})
		if err != nil {
			t.Fatal(err)
		}
		tk := &scheduler.Task{Request: scheduler.Res(1000, 1024, 500), GPUCount: 1, GPUMilli: 500, Node: scheduler.NoNode}
		scheduler.AttachPlacer(p, s, scheduler.NewRand(1, spec))
		id, g, st := p.Place(s, tk)
		if !st.IsOK() || id != 1 || g.Count() != 1 {
			t.Errorf("%s: placed on %d devices %b: %v", spec, id, g, st)
		}
	}
	for _, bad := range []struct{ spec, want string }{
		{"bestfit:norm=l3", "norm"},
		{"worstfit:key=cpux", "key"},
		{"randomk:k=0", "k"},
		{"kube:shape=0:0+50", "shape"},
		{"kube:strategy=fast", "strategy"},
		{"kube:pct=-3", `pct="-3": want a value in [0, 100]`},
		{"randomk:k=1e308", `k="1e308"`},
		{"nomad:limit=-1", "limit"},
		{"gpu-fgd:typical=/nonexistent.csv", "typical"},
		{"tetris:x=1", "unknown parameter"},
	} {
		if _, err := testRegistry.NewPlacer(bad.spec); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want one naming %q", bad.spec, err, bad.want)
		}
	}
}
