package scheduler

import (
	"hash/fnv"
	"math/rand/v2"
)

// NewRand returns a PCG generator for one component of a run: its stream is derived
// from the run's seed and the component's name, so components draw independently and
// adding a draw to one never shifts another's sequence.
func NewRand(seed uint64, component string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(component))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}
