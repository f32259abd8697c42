package scheduler

// NodeListener is told when a node's allocation state may have changed: its free
// capacity, its GPU devices or its up/down flag (a placement, a release, a rollback,
// an added, updated, failed or recovered node). Placers that keep their own index
// over the nodes (a segment tree for first fit, an ordered index on a norm) register
// one with State.AddListener so they never read a stale view.
//
// NodeChanged is called after the change, possibly more than once per change; it
// must not modify the state.
type NodeListener interface {
	NodeChanged(id NodeID)
}

// AddListener registers l to be told of every node change from now on. Cost O(1);
// each later change costs O(listeners) more.
func (s *State) AddListener(l NodeListener) { s.listeners = append(s.listeners, l) }

// RemoveListener unregisters l (a no-op if it is not registered).
func (s *State) RemoveListener(l NodeListener) {
	for i, x := range s.listeners {
		if x == l {
			s.listeners = append(s.listeners[:i:i], s.listeners[i+1:]...)
			return
		}
	}
}

func (s *State) notify(id NodeID) {
	for _, l := range s.listeners {
		l.NodeChanged(id)
	}
}
