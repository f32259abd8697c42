package scheduler

import (
	"fmt"
	"strings"
)

// Resource names one dimension of a Resources vector.
type Resource int

// The resource dimensions, each in a fixed integer unit.
const (
	CPU    Resource = iota // milli-cores (1000 = one core)
	Memory                 // MiB
	GPU                    // milli-GPUs (1000 = one whole GPU)
	Disk                   // MiB of local (ephemeral) disk
	NumResources
)

var resourceNames = [NumResources]string{"cpu", "mem", "gpu", "disk"}

// String returns the short name used in JSON keys and flags: cpu, mem, gpu, disk.
func (r Resource) String() string {
	if r >= 0 && r < NumResources {
		return resourceNames[r]
	}
	return fmt.Sprintf("resource(%d)", int(r))
}

// ParseResource returns the Resource named s (cpu, mem/memory, gpu, disk).
func ParseResource(s string) (Resource, error) {
	switch strings.ToLower(s) {
	case "cpu":
		return CPU, nil
	case "mem", "memory":
		return Memory, nil
	case "gpu":
		return GPU, nil
	case "disk":
		return Disk, nil
	}
	return 0, fmt.Errorf("scheduler: unknown resource %q (valid: cpu, mem, gpu, disk)", s)
}

// Resources is a vector of integer amounts, one per Resource. Integer arithmetic keeps
// the conservation invariants (allocated + free = capacity) exact.
type Resources [NumResources]int64

// Res builds a Resources from CPU milli-cores, memory MiB and milli-GPUs.
func Res(cpuMilli, memMiB, gpuMilli int64) Resources {
	return Resources{CPU: cpuMilli, Memory: memMiB, GPU: gpuMilli}
}

// Add returns r + o.
func (r Resources) Add(o Resources) Resources {
	for i := range r {
		r[i] += o[i]
	}
	return r
}

// Sub returns r − o.
func (r Resources) Sub(o Resources) Resources {
	for i := range r {
		r[i] -= o[i]
	}
	return r
}

// Scale returns r × k.
func (r Resources) Scale(k int64) Resources {
	for i := range r {
		r[i] *= k
	}
	return r
}

// LessEq reports whether r ≤ o in every dimension, i.e. whether a request r fits in
// free capacity o.
func (r Resources) LessEq(o Resources) bool {
	return r[0] <= o[0] && r[1] <= o[1] && r[2] <= o[2] && r[3] <= o[3]
}

// IsZero reports whether every dimension is zero.
func (r Resources) IsZero() bool { return r == Resources{} }

// AnyNegative reports whether some dimension is below zero.
func (r Resources) AnyNegative() bool {
	return r[0] < 0 || r[1] < 0 || r[2] < 0 || r[3] < 0
}

// Max returns the component-wise maximum of r and o.
func (r Resources) Max(o Resources) Resources {
	for i := range r {
		if o[i] > r[i] {
			r[i] = o[i]
		}
	}
	return r
}

// Min returns the component-wise minimum of r and o.
func (r Resources) Min(o Resources) Resources {
	for i := range r {
		if o[i] < r[i] {
			r[i] = o[i]
		}
	}
	return r
}

// String formats r as "cpu=1000m,mem=2048Mi,gpu=500m" omitting zero dimensions
// (all-zero prints "0").
func (r Resources) String() string {
	var b strings.Builder
	units := [NumResources]string{"m", "Mi", "m", "Mi"}
	for i, v := range r {
		if v == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%d%s", Resource(i), v, units[i])
	}
	if b.Len() == 0 {
		return "0"
	}
	return b.String()
}

// ContainerKind says how a container's request counts toward its pod's request.
type ContainerKind uint8

// Container kinds, following Kubernetes.
const (
	AppContainer     ContainerKind = iota // a regular container: runs for the pod's life
	InitContainer                         // runs to completion, one at a time, before the app containers
	SidecarContainer                      // an init container with restartPolicy Always: keeps running
)

// Container is one container of a pod, for computing the pod's effective request.
type Container struct {
	Kind    ContainerKind
	Request Resources
}

// PodRequest returns the effective request of a pod made of containers, by the
// Kubernetes rule (KEP-753 with sidecars): the larger of
//
//   - the sum of all app containers and all sidecars, and
//   - for each init container, its request plus the sidecars started before it,
//
// taken per resource. Containers are listed in pod order (init and sidecar containers
// in their start order). A nil or empty list requests nothing.
func PodRequest(containers []Container) Resources {
	var apps, sidecars, initMax Resources
	for _, c := range containers {
		switch c.Kind {
		case AppContainer:
			apps = apps.Add(c.Request)
		case SidecarContainer:
			sidecars = sidecars.Add(c.Request)
			// A sidecar is started during the init phase: while it starts, the
			// sidecars before it and itself are running.
			initMax = initMax.Max(sidecars)
		case InitContainer:
			initMax = initMax.Max(c.Request.Add(sidecars))
		}
	}
	return apps.Add(sidecars).Max(initMax)
}
