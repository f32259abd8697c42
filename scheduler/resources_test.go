package scheduler

import "testing"

func TestResourcesArithmetic(t *testing.T) {
	a := Resources{1000, 2048, 500, 10}
	b := Resources{250, 1024, 500, 0}
	tests := []struct {
		name string
		got  Resources
		want Resources
	}{
		{"add", a.Add(b), Resources{1250, 3072, 1000, 10}},
		{"sub", a.Sub(b), Resources{750, 1024, 0, 10}},
		{"scale", b.Scale(3), Resources{750, 3072, 1500, 0}},
		{"max", a.Max(Resources{2000, 0, 0, 20}), Resources{2000, 2048, 500, 20}},
		{"min", a.Min(Resources{2000, 0, 0, 20}), Resources{1000, 0, 0, 10}},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if !b.LessEq(a) || a.LessEq(b) || !a.LessEq(a) {
		t.Error("LessEq")
	}
	if !(Resources{}).IsZero() || a.IsZero() {
		t.Error("IsZero")
	}
	if !a.Sub(Resources{0, 0, 501, 0}).AnyNegative() || a.AnyNegative() {
		t.Error("AnyNegative")
	}
	if got := (Resources{1000, 0, 250, 0}).String(); got != "cpu=1000m,gpu=250m" {
		t.Errorf("String = %q", got)
	}
}

func TestPodRequest(t *testing.T) {
	app := func(c, m int64) Container { return Container{AppContainer, Res(c, m, 0)} }
	ini := func(c, m int64) Container { return Container{InitContainer, Res(c, m, 0)} }
	side := func(c, m int64) Container { return Container{SidecarContainer, Res(c, m, 0)} }
	tests := []struct {
		name string
		cs   []Container
		want Resources
	}{
		{"none", nil, Resources{}},
		{"apps sum", []Container{app(100, 10), app(200, 20)}, Res(300, 30, 0)},
		{"init larger than apps", []Container{ini(1000, 5), app(100, 10)}, Res(1000, 10, 0)},
		{"per resource max", []Container{ini(50, 500), app(100, 10)}, Res(100, 500, 0)},
		// Sidecar started before the init container counts with it; apps + sidecars.
		{"sidecar before init", []Container{side(100, 100), ini(500, 50), app(200, 10)}, Res(600, 150, 0)},
		// A sidecar after an init container does not add to that init container.
		{"sidecar after init", []Container{ini(500, 50), side(100, 100), app(200, 10)}, Res(500, 110, 0)},
		{"sidecars and apps", []Container{side(100, 100), side(100, 100), app(200, 10)}, Res(400, 210, 0)},
	}
	for _, tc := range tests {
		if got := PodRequest(tc.cs); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want Time
		bad  bool
	}{
		{"90s", 90 * Second, false},
		{"1.5h", 90 * Minute, false},
		{"2d", 2 * Day, false},
		{"30", 30 * Second, false},
		{"0.000001", 1, false},
		{"forever", Forever, false},
		{"-1s", 0, true},
		{"-3", 0, true},
		{"soon", 0, true},
		{"", 0, true},
	}
	for _, tc := range tests {
		got, err := ParseTime(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseTime(%q) = %v, %v; want %v, bad=%v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestNormalizeGPU(t *testing.T) {
	tests := []struct {
		req         int64
		count, mill int32
		wantC       int32
		wantM       int32
		wantReq     int64
		bad         bool
	}{
		{0, 0, 0, 0, 0, 0, false},
		{500, 0, 0, 1, 500, 500, false},
		{2000, 0, 0, 2, 1000, 2000, false},
		{1500, 0, 0, 0, 0, 0, true},
		{0, 4, 0, 4, 1000, 4000, false},
		{0, 1, 300, 1, 300, 300, false},
		{0, 2, 300, 0, 0, 0, true},
		{0, 1, 1200, 0, 0, 0, true},
		{-5, 0, 0, 0, 0, 0, true},
	}
	for i, tc := range tests {
		task := Task{Request: Resources{GPU: tc.req}, GPUCount: tc.count, GPUMilli: tc.mill}
		err := task.normalizeGPU()
		if (err != nil) != tc.bad {
			t.Errorf("case %d: err = %v, want bad=%v", i, err, tc.bad)
			continue
		}
		if !tc.bad && (task.GPUCount != tc.wantC || task.GPUMilli != tc.wantM || task.Request[GPU] != tc.wantReq) {
			t.Errorf("case %d: got %d×%d (%d), want %d×%d (%d)", i, task.GPUCount, task.GPUMilli, task.Request[GPU], tc.wantC, tc.wantM, tc.wantReq)
		}
	}
}
