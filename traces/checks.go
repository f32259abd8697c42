package traces

import "slices"

// Checks that apply to every format alike: empty tables, and the counters of
// rows that are valid but suspicious (negative times, rows out of time order,
// references to machines the trace never adds). See the package documentation,
// "Bad input".

// inputState is what the builder tracks about the input being read.
type inputState struct {
	table    string // the table the reader matched the input to ("" = none declared)
	rows     int64  // data rows read (malformed ones included)
	prev     float64
	havePrev bool
	negative int64 // rows with a negative time, for negative_time/TABLE
	disorder int64 // rows out of time order, for out_of_order/TABLE
}

// inTable declares the table of the current input, even before any row.
func (b *builder) inTable(table string) { b.in.table = table }

// addRows counts n data rows of table, read from the current input.
func (b *builder) addRows(table string, n int64) {
	b.st.Rows[table] += n
	b.in.table = table
	b.in.rows += n
}

// endInput checks the input just read: a table file without a single data row
// (empty, or only a header or comments) is bad input, unless the table is one
// the format may legitimately leave empty, which is counted as
// empty_table/TABLE. With SkipBad an empty required file is counted as
// Skipped["empty_table"] instead, but a required table that has no data rows in
// any input is still an error (see checkTables): skipping never turns a missing
// machine list into a silent run on zero machines.
func (b *builder) endInput(name string) error {
	t := b.in.table
	if b.in.negative > 0 {
		b.count("negative_time/"+t, b.in.negative)
	}
	if b.in.disorder > 0 {
		b.count("out_of_order/"+t, b.in.disorder)
	}
	if t == "" || b.in.rows > 0 {
		return nil
	}
	if slices.Contains(formatByName[b.format].optional, t) {
		b.count("empty_table/"+t, 1)
		return nil
	}
	b.emptyReq = append(b.emptyReq, t)
	return b.bad(&InputError{File: name, Reason: "empty_table", Msg: "table " + t + " is empty (no data rows)"})
}

// checkTables fails when a required table was given only as empty files
// (reachable with SkipBad, which skips each empty file).
func (b *builder) checkTables() error {
	for _, t := range b.emptyReq {
		if b.st.Rows[t] == 0 {
			return badf("%s: table %s has no data rows in any input (empty files were skipped)", b.format, t)
		}
	}
	return nil
}

// rowDone updates the counters of table after a row that was accepted (r.err
// is nil): negative_time/TABLE counts rows with a negative time,
// out_of_order/TABLE rows whose first (positive) time is earlier than that of
// the previous such row of the same file.
func (b *builder) rowDone(table string, r *row) {
	if r.err != nil {
		return
	}
	b.timeSeen(table, r.negTime, r.order, r.hasOrder)
}

// timeSeen is rowDone for readers that check times themselves (JSON).
func (b *builder) timeSeen(table string, negative bool, order float64, hasOrder bool) {
	if negative {
		b.in.negative++
	}
	if hasOrder {
		if b.in.havePrev && order < b.in.prev {
			b.in.disorder++
		}
		b.in.prev, b.in.havePrev = order, true
	}
}

// maxMachineRefs bounds the distinct machine names remembered for
// unknown_machine: beyond it, new names are counted as machine_refs_unchecked.
const maxMachineRefs = 1 << 20

// machineRef records that a row of table refers to the machine named name (the
// name its NodeAdd would carry); an empty name is no reference.
func (b *builder) machineRef(table string, name []byte) {
	if len(name) == 0 {
		return
	}
	r := b.refs
	if r == nil || r.table != table {
		r = b.refTables[table]
		if r == nil {
			if b.refTables == nil {
				b.refTables = map[string]*machineRefs{}
			}
			r = &machineRefs{table: table, index: map[string]int32{}}
			b.refTables[table] = r
		}
		b.refs = r
	}
	if i, ok := r.index[string(name)]; ok {
		r.counts[i]++
		return
	}
	if b.nrefs >= maxMachineRefs {
		b.count("machine_refs_unchecked", 1)
		return
	}
	b.nrefs++
	r.index[string(name)] = int32(len(r.counts))
	r.counts = append(r.counts, 1)
}

// machineRefs counts the rows of one table referring to each machine name.
type machineRefs struct {
	table  string
	index  map[string]int32 // name → index in counts
	counts []int64
}

// countUnknownMachines runs once every machine is known (after finish): rows
// referring to a machine that the trace never adds are counted as
// unknown_machine/TABLE.
func (b *builder) countUnknownMachines() {
	for table, r := range b.refTables {
		for name, i := range r.index {
			if _, ok := b.machines[name]; !ok {
				b.count("unknown_machine/"+table, r.counts[i])
			}
		}
	}
	b.refs, b.refTables, b.nrefs = nil, nil, 0
}
