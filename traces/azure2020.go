package traces

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/schedlab/schedlab/scheduler"
)

// azure2020: the Azure Trace for Packing 2020 (github.com/Azure/AzurePublicDataset,
// AzureTracesForPacking2020.md; Hadary et al., OSDI'20, "Protean"). The dataset
// is one SQLite database with two tables; the module carries no SQLite driver,
// so the reader takes their CSV export with a header row, one file per table:
//
//	sqlite3 -header -csv packing_trace_zone_a_v1.sqlite 'SELECT * FROM vm' > vm.csv
//	sqlite3 -header -csv packing_trace_zone_a_v1.sqlite 'SELECT * FROM vmType' > vmType.csv
//
// A file is recognised by its header's column names (in any order, any case),
// not by its name:
//
//	vm:     vmId, tenantId, vmTypeId, priority, starttime, endtime
//	vmType: id, vmTypeId, machineId, core, memory, hdd, ssd, nic
//
// Times are fractional days since collection start (14 days); a negative start
// means the VM was alive when collection began; endtime is capped at 90 days and
// NULL (an empty field in the export) means still alive. Demands are fractions
// of one machine of the row's machine type (hardware generation): a VM type has
// one row per machine type it can run on. There is no host inventory.
//
// Each VM becomes a one-task job. Its demand is that of its type on one machine
// type (option machine_type; default the machine type with rows for the most VM
// types), scaled by norm_cpu and norm_mem (a fraction 1.0 = one machine).

const (
	az20Table     = "vm"
	az20TypeTable = "vmType"
	az20Collected = 14 * scheduler.Day // the documented collection span
	az20Cap       = 90 * scheduler.Day // endtime is capped here
	// az20MaxDays is the time range of the trace's day columns (±100 years).
	az20MaxDays = float64(maxTraceSeconds) / 86400
)

// az20MaxTypeRows bounds the vmType rows held in memory (the real table has a
// few hundred; the bound keeps a runaway input from exhausting memory). A
// variable only so that a test can lower it.
var az20MaxTypeRows = 1 << 20

// az20VMColumns are the vm table's columns and az20TypeColumns the vmType
// table's, found by header name in any case.
type (
	az20VMColumns   struct{ VMID, TenantID, VMTypeID, Priority, StartTime, EndTime column }
	az20TypeColumns struct{ ID, VMTypeID, MachineID, Core, Memory, HDD, SSD, NIC column }
)

var (
	az20VMCols = az20VMColumns{
		column{name: "vmId", kind: kindString, required: true, use: "the job's name"},
		column{name: "tenantId", kind: kindString, use: "the tenant"},
		column{name: "vmTypeId", kind: kindString, required: true, use: "the VM type (its vmType rows give the demand)"},
		column{name: "priority", kind: kindInt, required: true, use: "0 (high) → service, priority 1; 1 (low) → batch, priority 0"},
		column{name: "starttime", kind: kindDays, required: true, use: "the submit (negative: pre-trace)"},
		column{name: "endtime", kind: kindDays, use: "the end (NULL: censored at 14 days; at the 90-day cap: censored at 90 days)"},
	}
	az20TypeCols = az20TypeColumns{
		column{name: "id", kind: kindInt, mayLack: true, use: "checked, not used"},
		column{name: "vmTypeId", kind: kindString, required: true, use: "the VM type"},
		column{name: "machineId", kind: kindString, required: true, use: "the machine type (see machine_type)"},
		column{name: "core", kind: kindFloat, unit: "fraction of the machine", required: true, use: "CPU request × norm_cpu"},
		column{name: "memory", kind: kindFloat, unit: "fraction of the machine", required: true, use: "memory request × norm_mem"},
		column{name: "hdd", kind: kindFloat, unit: "fraction of the machine", mayLack: true, use: "checked, not used"},
		column{name: "ssd", kind: kindFloat, unit: "fraction of the machine", mayLack: true, use: "disk request × norm_disk (with disk=true)"},
		column{name: "nic", kind: kindFloat, unit: "fraction of the machine", mayLack: true, use: "checked, not used"},
	}
	az20VMs   = newHeaderTable(az20Table, true, []string{"vmId", "starttime"}, &az20VMCols)
	az20Types = newHeaderTable(az20TypeTable, true, []string{"vmTypeId", "machineId"}, &az20TypeCols)
)

// azure2020Format is the azure2020 entry of formatTable.
var azure2020Format = formatSpec{info: FormatInfo{Name: "azure2020",
	Doc: "Azure Trace for Packing 2020 (Protean, OSDI'20), as the sqlite3 CSV export of its vm and vmType tables: " +
		"each VM → a one-task job submitted at starttime (fractional days), runtime endtime−starttime, priority 0 → service, 1 → batch, " +
		"tenant = tenantId; demand = its type's fractions on machine type machine_type (default: the one most VM types run on) × norm_cpu, norm_mem; " +
		"negative start is pre-trace, NULL end censored at 14 days, end at the 90-day cap censored at 90 days; no machines: give a cluster",
	Files: "vm.csv and vmType.csv (sqlite3 -header -csv FILE 'SELECT * FROM vm' > vm.csv, likewise vmType); matched by header"},
	newReader: func(*Options) reader { return &azure2020Reader{types: map[string][]az20Demand{}} }}

// az20Demand is one vmType row: the demand of a VM type on one machine type.
type az20Demand struct {
	machine         string
	core, mem, disk float64 // fractions of the machine; disk is ssd
}

type azure2020Reader struct {
	types    map[string][]az20Demand // vmTypeId → one row per machine type
	typeRows int                     // distinct (vmTypeId, machineId) rows held
	sawVM    bool                    // a vm table was among the inputs
	machine  string                  // the machine type used (set by finish)
}

func (a *azure2020Reader) input(b *builder, m member) (bool, error) {
	h, err := newHeaderCSV(m)
	if err != nil {
		return false, err
	}
	switch {
	case az20VMs.identifies(h):
		if err := az20VMs.check(h, m.name, 1); err != nil {
			return false, err
		}
		a.sawVM = true
		return true, a.readVMs(b, h, bindHeader(az20VMs, h, &az20VMCols))
	case az20Types.identifies(h):
		if err := az20Types.check(h, m.name, 1); err != nil {
			return false, err
		}
		return true, a.readTypes(b, h, bindHeader(az20Types, h, &az20TypeCols))
	}
	return false, nil
}

// az20Days parses a time column in fractional days: simulated µs since
// collection start (rounded once), within the common time range.
func az20Days(r *row, c *column) (scheduler.Time, bool) {
	i := c.is(kindDays)
	if !r.has(i) {
		return 0, false
	}
	v, e := atof(r.f[i])
	if e == numSyntax {
		r.numFail(i, e, "a number of days")
		return 0, false
	}
	if e == numRange || v < -az20MaxDays || v > az20MaxDays {
		r.timeFail(i)
		return 0, false
	}
	r.noteTime(v)
	return scheduler.Time(math.Round(v * 86400e6)), true
}

func (a *azure2020Reader) readVMs(b *builder, h *headerCSV, c *az20VMColumns) error {
	prios := statusCounter{prefix: "priority/"}
	defer prios.flush(b)
	var buf []byte
	b.inTable(az20Table)
	return h.rows(func(h *headerCSV, r *row) error {
		b.addRows(az20Table, 1)
		if r.err != nil {
			return b.bad(r.err)
		}
		c.VMID.requireValue(r)
		c.VMTypeID.requireValue(r)
		prio := c.Priority.bytes(r)
		if r.err == nil && string(prio) != "0" && string(prio) != "1" {
			c.Priority.fail(r, "unknown_code", "unknown priority "+quoteField(prio)+" (want 0 = high or 1 = low)")
		}
		start, ok := az20Days(r, &c.StartTime)
		if !ok && r.err == nil {
			c.StartTime.missing(r)
		}
		end, hasEnd := az20Days(r, &c.EndTime) // empty = NULL: still alive
		if r.err == nil && hasEnd && end < start {
			c.EndTime.fail(r, "invalid", "endtime "+string(c.EndTime.bytes(r))+" is before starttime "+string(c.StartTime.bytes(r)))
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		b.rowDone(az20Table, r)
		prios.add(prio)
		if start >= 0 {
			b.seen(start)
		}
		if hasEnd && end >= 0 {
			b.seen(min(end, az20Cap))
		}
		e := enc{buf[:0]}
		e.int(int64(start))
		e.optInt(int64(end), hasEnd)
		e.str(bstr(c.TenantID.bytes(r)))
		e.str(bstr(c.VMTypeID.bytes(r)))
		e.uint(uint64(prio[0] - '0'))
		buf = e.b
		return b.group(c.VMID.bytes(r), nil, buf)
	})
}

// az20Fraction parses a demand column: a fraction of the machine in [0, 1].
func az20Fraction(r *row, c *column) float64 {
	i := c.is(kindFloat)
	if !r.has(i) {
		if c.required {
			c.missing(r)
		}
		return 0
	}
	v, e := atof(r.f[i])
	if e == numRange {
		r.fail(i, "overflow", "value "+quoteField(r.f[i])+" overflows a float64 (want a fraction of the machine in [0, 1])")
		return 0
	}
	if e != numOK {
		r.numFail(i, e, "a fraction")
		return 0
	}
	if v < 0 || v > 1 {
		r.fail(i, "invalid", "value "+quoteField(r.f[i])+" is not a fraction of the machine in [0, 1]")
		return 0
	}
	return v
}

func (a *azure2020Reader) readTypes(b *builder, h *headerCSV, c *az20TypeColumns) error {
	b.inTable(az20TypeTable)
	return h.rows(func(h *headerCSV, r *row) error {
		b.addRows(az20TypeTable, 1)
		if r.err != nil {
			return b.bad(r.err)
		}
		if c.ID.present() {
			c.ID.optInt(r) // validated, not used
		}
		c.VMTypeID.requireValue(r)
		c.MachineID.requireValue(r)
		d := az20Demand{core: az20Fraction(r, &c.Core), mem: az20Fraction(r, &c.Memory)}
		for _, col := range []*column{&c.HDD, &c.NIC} {
			if col.present() {
				az20Fraction(r, col) // validated, not used
			}
		}
		if c.SSD.present() {
			d.disk = az20Fraction(r, &c.SSD)
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		typ, machine := c.VMTypeID.str(r), c.MachineID.str(r)
		d.machine = machine
		rows := a.types[typ]
		if slices.ContainsFunc(rows, func(x az20Demand) bool { return x.machine == machine }) {
			b.count("duplicate_vmtype_rows", 1) // the first row of a (vmTypeId, machineId) pair counts
			return nil
		}
		if a.typeRows >= az20MaxTypeRows {
			return &InputError{File: r.file, Line: r.line, Reason: "limit",
				Msg: "more than " + strconv.Itoa(az20MaxTypeRows) + " distinct (vmTypeId, machineId) rows in vmType: not a VM type table"}
		}
		a.typeRows++
		a.types[typ] = append(rows, d)
		return nil
	})
}

// cmpMachine orders machine type IDs: numerically when both are integers,
// integers before other names, other names as strings.
func cmpMachine(x, y string) int {
	nx, ex := strconv.ParseInt(x, 10, 64)
	ny, ey := strconv.ParseInt(y, 10, 64)
	switch {
	case ex == nil && ey == nil:
		return cmp.Compare(nx, ny)
	case ex == nil:
		return -1
	case ey == nil:
		return 1
	}
	return strings.Compare(x, y)
}

// finish checks that both tables were given and chooses the machine type.
func (a *azure2020Reader) finish(b *builder) error {
	if !a.sawVM {
		return badf("azure2020: no vm table among the inputs (a CSV whose header has %s)", az20VMs.mustHave())
	}
	if len(a.types) == 0 {
		return badf("azure2020: no vmType rows among the inputs (a CSV whose header has %s): the VM demands are defined there", az20Types.mustHave())
	}
	perMachine := map[string]int64{}
	for _, rows := range a.types {
		for _, d := range rows {
			perMachine[d.machine]++
		}
	}
	var machines []string
	for m := range perMachine {
		machines = append(machines, m)
	}
	slices.SortFunc(machines, cmpMachine)
	for _, m := range machines {
		b.st.Events["vm_types_on_machine_type/"+m] = perMachine[m]
	}
	want := b.opt.MachineType
	if want == "auto" || want == "" {
		for _, m := range machines {
			if a.machine == "" || perMachine[m] > perMachine[a.machine] {
				a.machine = m
			}
		}
	} else {
		if _, ok := perMachine[want]; !ok {
			list := machines
			if len(list) > 20 {
				list = append(list[:20:20], "...")
			}
			return badf("azure2020: option machine_type=%q: no vmType row has that machineId (machine types: %s)", want, strings.Join(list, ", "))
		}
		a.machine = want
	}
	b.count("machine_type_used/"+a.machine, 1)
	return nil
}

func (a *azure2020Reader) assemble(b *builder, key []byte, recs []record) error {
	if len(recs) > 1 {
		b.count("duplicate_vm_rows", int64(len(recs)-1))
	}
	b.st.Jobs++
	b.st.Tasks++
	d := dec{b: recs[0].val}
	start := scheduler.Time(d.int())
	endRaw, hasEnd := d.optInt()
	end := scheduler.Time(endRaw)
	tenant, typ := d.str(), d.str()
	prio := d.uint()
	if d.err != nil {
		return d.err
	}
	rows, ok := a.types[typ]
	if !ok {
		b.count("jobs_dropped", 1)
		return b.orphan("vm_type")
	}
	k := slices.IndexFunc(rows, func(x az20Demand) bool { return x.machine == a.machine })
	if k < 0 {
		// The VM's type does not run on the machine type replayed.
		b.count("vms_not_on_machine_type", 1)
		b.count("jobs_dropped", 1)
		return nil
	}
	dm := rows[k]
	o := secondsToTime(azureOrigin(b))
	if hasEnd && end < o {
		b.count("vms_before_origin", 1)
		b.count("jobs_dropped", 1)
		return nil
	}
	l := lifetime{submit: start - o}
	censorAt := b.traceEnd(max(az20Collected-o, 0))
	switch {
	case !hasEnd:
		b.count("end_null", 1)
	case end >= az20Cap:
		// At the cap the VM lived at least until the cap: censored there
		// (unless trace_end says otherwise).
		b.count("end_at_90d_cap", 1)
		if b.opt.TraceEnd == 0 {
			censorAt = az20Cap - o
		}
	default:
		l.end, l.hasEnd = end-o, true
	}
	submit, rt, flags, drop := b.resolve(l, censorAt)
	if drop {
		b.count("jobs_dropped", 1)
		return nil
	}
	class, priority := scheduler.Batch, int32(0)
	if prio == 0 {
		class, priority = scheduler.Service, 1
	}
	req := scheduler.Res(scaleRound(dm.core, float64(b.opt.NormCPU)), scaleRound(dm.mem, float64(b.opt.NormMem)), 0)
	if b.opt.Disk {
		req[scheduler.Disk] = scaleRound(dm.disk, float64(b.opt.NormDisk))
	}
	j := &scheduler.Job{ID: scheduler.JobID(b.st.Jobs), Name: string(key), Submit: submit, Class: class, Priority: priority,
		Tenant: tenant, Tasks: []scheduler.Task{{Request: req, Runtime: rt}}}
	return b.job(j, []uint8{flags})
}

// keysFor supports Sample, assuming the export's column order (vm: vmId first,
// starttime fifth): vm rows are sampled by VM and starttime; every vmType row is
// kept. Files are recognised by name: one containing "vmtype" is the type table,
// another containing "vm" the VM table.
func (a *azure2020Reader) keysFor(name string) (bool, int, func([]byte) (rowKeys, bool)) {
	base := strings.ToLower(name)
	if i := strings.LastIndexAny(base, "/:"); i >= 0 {
		base = base[i+1:]
	}
	switch {
	case strings.Contains(base, "vmtype"):
		return true, 1, func([]byte) (rowKeys, bool) { return rowKeys{}, false }
	case strings.Contains(base, "vm"):
		var f [][]byte
		return true, 1, func(line []byte) (rowKeys, bool) {
			f, _, _ = splitCSV(line, f, nil)
			if len(f) != len(az20VMs.schema) {
				return rowKeys{}, false
			}
			k := rowKeys{job: f[0]}
			if v, e := atof(f[4]); e == numOK && v >= -az20MaxDays && v <= az20MaxDays {
				k.time, k.hasTime = scheduler.Time(math.Round(v*86400e6)), true
			}
			return k, true
		}
	}
	return false, 0, nil
}
