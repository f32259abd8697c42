package traces

import "strings"

// dagName is a parsed Alibaba 2018 task name (TRACES.md §6.3).
type dagName struct {
	num     int64   // the task's own number; valid when ok
	parents []int64 // its parents' numbers
	ok      bool    // false: independent (task_..., or unparseable)
	bad     bool    // true: the name did not parse (counted)
}

// parseDAGName parses "M5_3_4" into task 5 with parents 3 and 4. A name starting
// with "task_" is independent; a name whose digits do not parse is independent and
// marked bad.
func parseDAGName(name string) dagName {
	if strings.HasPrefix(name, "task_") {
		return dagName{}
	}
	i := 0
	for i < len(name) && (name[i] < '0' || name[i] > '9') && name[i] != '_' {
		i++
	}
	rest := name[i:]
	if i == 0 || rest == "" {
		return dagName{bad: true}
	}
	var d dagName
	for k, tok := range strings.Split(rest, "_") {
		v, e := atoi([]byte(tok))
		if e != numOK || v < 0 || tok[0] == '-' || tok[0] == '+' {
			return dagName{bad: true}
		}
		if k == 0 {
			d.num = v
		} else {
			d.parents = append(d.parents, v)
		}
	}
	d.ok = true
	return d
}

// dagEdges resolves the parents of n named tasks (by number) into group indexes,
// dropping dangling parents, self-edges and edges that close a cycle. It returns
// After lists per group and the counts of dropped dangling and cyclic edges.
func dagEdges(names []dagName) (after [][]int32, dangling, cyclic int) {
	byNum := map[int64]int32{}
	for i, d := range names {
		if d.ok {
			if _, dup := byNum[d.num]; !dup {
				byNum[d.num] = int32(i)
			}
		}
	}
	after = make([][]int32, len(names))
	for i, d := range names {
		for _, p := range d.parents {
			j, ok := byNum[p]
			if !ok {
				dangling++
				continue
			}
			if int(j) == i {
				cyclic++
				continue
			}
			after[i] = append(after[i], j)
		}
	}
	// Break cycles: a depth-first search drops every edge to a node on the
	// current path. Nodes and edges are visited in index order: deterministic.
	state := make([]uint8, len(names)) // 0 new, 1 on path, 2 done
	var visit func(i int)
	visit = func(i int) {
		state[i] = 1
		kept := after[i][:0]
		for _, j := range after[i] {
			switch state[j] {
			case 1:
				cyclic++
				continue
			case 0:
				visit(int(j))
			}
			kept = append(kept, j)
		}
		after[i] = kept
		state[i] = 2
	}
	for i := range names {
		if state[i] == 0 {
			visit(i)
		}
	}
	return after, dangling, cyclic
}
