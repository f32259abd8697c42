package schedtest

import (
	"testing"

	"github.com/schedlab/schedlab/scheduler"
)

func TestConformanceMonolithicFirstFit(t *testing.T) {
	Conformance(t, PlacerFactory(func() scheduler.Placer { return scheduler.ScanFirstFit{} }),
		Options{GangAtomic: true, DeadlockFree: true, WorkConserving: true})
}

func TestConformanceMonolithicBestFit(t *testing.T) {
	Conformance(t, PlacerFactory(func() scheduler.Placer { return scheduler.KeyBestFit{} }),
		Options{GangAtomic: true, DeadlockFree: true, WorkConserving: true})
}
