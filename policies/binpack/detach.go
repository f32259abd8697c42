package binpack

// Placers that keep an index over the state register a scheduler.NodeListener on
// it. Detach unregisters it, for a placer that will not be used on that state
// again while the state lives on (benchmarks, tools that try several placers on
// one state). A detached placer re-indexes on its next Place.

// Detach unregisters the placer's index from its state.
func (f *FirstFit) Detach() { f.tree.detach() }

// Detach unregisters the placer's index from its state.
func (f *NextFit) Detach() { f.tree.detach() }

// Detach unregisters the placer's index from its state.
func (f *Fit) Detach() {
	if f.sum.s != nil {
		f.sum.s.RemoveListener(&f.sum)
		f.sum = sumIndex{}
	}
}

// Detach unregisters the placer's per-node cache from its state.
func (k *Kube) Detach() {
	if k.s != nil {
		k.s.RemoveListener(k)
		k.s, k.nodes = nil, nil
	}
	k.tree.detach()
}

// Detach unregisters the policy's fragmentation tracker from its state.
func (p *GPUPolicy) Detach() {
	if p.tr != nil {
		p.tr.Detach()
		p.tr = nil
	}
}

// Detach unregisters the tracker from its state; it must not be used afterwards.
func (tr *FragTracker) Detach() {
	if tr.s != nil {
		tr.s.RemoveListener(tr)
		tr.s = nil
	}
}
