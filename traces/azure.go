package traces

import (
	"strconv"

	"github.com/schedlab/schedlab/scheduler"
)

// azure2017, azure2019: the VM traces of the Azure Public Dataset
// (github.com/Azure/AzurePublicDataset: AzurePublicDatasetV1.md, 2017, and
// AzurePublicDatasetV2.md, 2019). Only vmtable.csv(.gz) is read: one row per VM,
// no header, columns
//
//	vmid, subscriptionid, deploymentid, vmcreated, vmdeleted, maxcpu, avgcpu,
//	p95maxcpu, vmcategory, vmcorecount[bucket], vmmemory[bucket]
//
// (the column names of the dataset's own analysis notebooks). Times are seconds
// since the start of a 30-day window sampled every 5 minutes; a VM present when
// the window opens has vmcreated 0 and one still present at its last reading has
// vmdeleted 2591700 (30 days less one 5-minute interval). 2017 gives the exact
// core count and memory in GB (1, 0.75, 1.75, 56, ...); 2019 gives buckets named
// by their upper bound (cores 2, 4, 8, 12, 24, >24; memory GB 2, 4, 8, 32, 64,
// >64, the notebook's legends 0-2, 2-4, ...). Each VM becomes a one-task job; the
// trace has no machines, so it replays on a cluster the caller gives.

const (
	azureWindow  = 30 * 24 * 3600 // s: the documented 30 consecutive days
	azureReading = 300            // s: the 5-minute reading interval
	// The open-ended buckets stand for the values the dataset's 2019 analysis
	// notebook substitutes for them ("Transform vmcorecount '>24' bucket to 30 and
	// '>64' to 70").
	azureOpenCores = 30
	azureOpenMemGB = 70
)

// azureColumns are vmtable's columns, in file order; the two years differ only
// in the names (and the values) of the core and memory columns.
type azureColumns struct {
	VMID, SubscriptionID, DeploymentID, VMCreated, VMDeleted, MaxCPU, AvgCPU, P95MaxCPU, VMCategory, Cores, Memory column
}

// azureSchema is vmtable's schema with the given core and memory columns.
func azureSchema(cores, memory column) azureColumns {
	return azureColumns{
		column{name: "vmid", kind: kindString, required: true, use: "the job's name"},
		column{name: "subscriptionid", kind: kindString, use: "the tenant"},
		column{name: "deploymentid", kind: kindString},
		column{name: "vmcreated", kind: kindRoundedSeconds, required: true, use: "the submit (0: pre-trace)"},
		column{name: "vmdeleted", kind: kindRoundedSeconds, required: true, use: "the end (the last reading or later: censored)"},
		column{name: "maxcpu", kind: kindFloat, use: "checked, not used"},
		column{name: "avgcpu", kind: kindFloat, use: "checked, not used"},
		column{name: "p95maxcpu", kind: kindFloat, use: "checked, not used"},
		column{name: "vmcategory", kind: kindString, required: true, use: "Interactive → service; Delay-insensitive, Unknown (Unkown) → batch"},
		cores, memory,
	}
}

var (
	azure2017Cols = azureSchema(
		column{name: "vmcorecount", kind: kindBucket, unit: "cores", required: true, use: "CPU request × 1000 milli-cores"},
		column{name: "vmmemory", kind: kindBucket, unit: "GB", required: true, use: "memory request × 1024 MiB"})
	azure2019Cols = azureSchema(
		column{name: "vmcorecountbucket", kind: kindBucket, unit: "cores", required: true, use: "CPU request × 1000 milli-cores: the bucket's upper bound, >24 = 30"},
		column{name: "vmmemorybucket", kind: kindBucket, unit: "GB", required: true, use: "memory request × 1024 MiB: the bucket's upper bound, >64 = 70"})
	azure2017Table = newSchemaTable("vmtable", &azure2017Cols)
	azure2019Table = newSchemaTable("vmtable", &azure2019Cols)
)

const azureDocCommon = "each VM → a one-task job submitted at vmcreated, runtime vmdeleted−vmcreated (at least 300 s), " +
	"Interactive → service, Delay-insensitive and Unknown → batch, tenant = subscription id; vmcreated 0 is pre-trace, " +
	"vmdeleted ≥ 2591700 (the last reading) is censored at 30 days; no machines: give a cluster"

// azure2017Format and azure2019Format are the azure entries of formatTable.
var azure2017Format = formatSpec{info: FormatInfo{Name: "azure2017",
	Doc:   "Azure Public Dataset V1 (2017 VM trace): " + azureDocCommon + "; cores and memory GB exact (×1000 milli-cores, ×1024 MiB)",
	Files: "vmtable.csv[.gz] (no header); deployment, subscriptions and vm_cpu_readings are not read"},
	newReader: func(*Options) reader { return &azureReader{t: azure2017Table, c: &azure2017Cols} }}

var azure2019Format = formatSpec{info: FormatInfo{Name: "azure2019",
	Doc: "Azure Public Dataset V2 (2019 VM trace): " + azureDocCommon + "; core and memory buckets request their upper bound, " +
		">24 cores = 30 and >64 GB = 70 (as the dataset's notebook does)",
	Files: "vmtable.csv[.gz] (no header); deployments, subscriptions and vm_cpu_readings are not read"},
	newReader: func(*Options) reader { return &azureReader{t: azure2019Table, c: &azure2019Cols} }}

type azureReader struct {
	t *csvTable
	c *azureColumns
}

// VM categories, as encoded between the stages.
const (
	azDelayInsensitive = iota
	azInteractive
	azUnknown
)

func azureCategory(v []byte) (int, bool) {
	switch string(v) {
	case "Delay-insensitive":
		return azDelayInsensitive, true
	case "Interactive":
		return azInteractive, true
	case "Unknown", "Unkown": // the 2017 vmtable spells it "Unkown"
		return azUnknown, true
	}
	return 0, false
}

// azureSize parses a core count or memory size column: a positive number, or
// the open-ended bucket open (">24", ">64"), which stands for openVal.
func azureSize(r *row, c *column, open string, openVal float64, what string) (v float64, isOpen bool) {
	i := c.is(kindBucket)
	if !r.has(i) {
		c.missing(r)
		return 0, false
	}
	f := r.f[i]
	if f[0] == '>' {
		if string(f) != open {
			c.fail(r, "unknown_code", "unknown open-ended bucket "+quoteField(f)+" (want a number or "+open+")")
			return 0, false
		}
		return openVal, true
	}
	v, e := atof(f)
	if e != numOK {
		r.numFail(i, e, "a "+what)
		return 0, false
	}
	if v <= 0 || v > 1e9 {
		c.fail(r, "invalid", "value "+quoteField(f)+" is not a positive "+what)
		return 0, false
	}
	return v, false
}

// azureTime parses a required time column: seconds, within the common time
// range (a decimal form such as "558300.0" is accepted).
func azureTime(r *row, c *column) int64 {
	v, ok := c.optSecondsRounded(r)
	if !ok && r.err == nil {
		c.missing(r)
	}
	return v
}

func (a *azureReader) input(b *builder, m member) (bool, error) {
	if matchTable(m.name, []*csvTable{a.t}) == nil {
		return false, nil
	}
	c := a.c
	o := azureOrigin(b)
	cats := statusCounter{prefix: "vmcategory/"}
	cores := statusCounter{prefix: c.Cores.name + "/"}
	mems := statusCounter{prefix: c.Memory.name + "/"}
	defer cats.flush(b)
	defer cores.flush(b)
	defer mems.flush(b)
	first := true
	var buf []byte
	return true, b.readCSV(m, a.t, func(r *row) error {
		if first {
			first = false
			if string(c.VMID.bytes(r)) == "vmid" { // a header some copies add
				b.addRows(a.t.name, -1)
				return nil
			}
		}
		c.VMID.requireValue(r)
		created := azureTime(r, &c.VMCreated)
		deleted := azureTime(r, &c.VMDeleted)
		for _, col := range []*column{&c.MaxCPU, &c.AvgCPU, &c.P95MaxCPU} {
			col.optFloat(r) // validated, not used
		}
		cat, ok := azureCategory(c.VMCategory.bytes(r))
		if !ok && r.err == nil {
			c.VMCategory.fail(r, "unknown_code", "unknown VM category "+quoteField(c.VMCategory.bytes(r))+" (want Interactive, Delay-insensitive or Unknown)")
		}
		nc, openC := azureSize(r, &c.Cores, ">24", azureOpenCores, "core count")
		gb, openM := azureSize(r, &c.Memory, ">64", azureOpenMemGB, "memory size in GB")
		if r.err == nil && deleted < created {
			c.VMDeleted.fail(r, "invalid", "vmdeleted "+strconv.FormatInt(deleted, 10)+" is before vmcreated "+strconv.FormatInt(created, 10))
		}
		if r.err != nil {
			return b.bad(r.err)
		}
		cats.add(c.VMCategory.bytes(r))
		cores.add(c.Cores.bytes(r))
		mems.add(c.Memory.bytes(r))
		if openC {
			b.count("open_core_bucket_rows", 1)
		}
		if openM {
			b.count("open_memory_bucket_rows", 1)
		}
		for _, t := range []int64{created, deleted} {
			if t-o >= 0 {
				b.seen(secondsToTime(t - o))
			}
		}
		e := enc{buf[:0]}
		e.int(created)
		e.int(deleted)
		e.str(bstr(c.SubscriptionID.bytes(r)))
		e.uint(uint64(cat))
		e.int(scaleRound(nc, 1000))
		e.int(scaleRound(gb, 1024))
		buf = e.b
		return b.group(c.VMID.bytes(r), nil, buf)
	})
}

// azureOrigin is the raw time (s) of simulation time 0: Options.Origin, else the
// start of the window.
func azureOrigin(b *builder) int64 {
	if b.opt.Origin >= 0 {
		return b.opt.Origin
	}
	return 0
}

func (a *azureReader) finish(b *builder) error { return nil }

func (a *azureReader) assemble(b *builder, key []byte, recs []record) error {
	if len(recs) > 1 {
		b.count("duplicate_vm_rows", int64(len(recs)-1))
	}
	b.st.Jobs++
	b.st.Tasks++
	d := dec{b: recs[0].val}
	created, deleted := d.int(), d.int()
	tenant := d.str()
	cat := d.uint()
	cpu, mem := d.int(), d.int()
	if d.err != nil {
		return d.err
	}
	o := azureOrigin(b)
	if deleted < o {
		b.count("vms_before_origin", 1)
		b.count("jobs_dropped", 1)
		return nil
	}
	l := lifetime{submit: secondsToTime(created - o)}
	if created <= 0 && l.submit >= 0 {
		// vmcreated 0: the VM was there when the window opened.
		l.submit = -1
	}
	if deleted < azureWindow-azureReading {
		l.end, l.hasEnd = secondsToTime(deleted-o), true
	}
	var documented scheduler.Time
	if azureWindow > o {
		documented = secondsToTime(azureWindow - o)
	}
	submit, rt, flags, drop := b.resolve(l, b.traceEnd(documented))
	if drop {
		b.count("jobs_dropped", 1)
		return nil
	}
	if rt < azureReading*scheduler.Second {
		// As the dataset's notebooks compute lifetimes: max(deleted − created, 300 s).
		b.count("runtime_floored_300s", 1)
		rt = azureReading * scheduler.Second
	}
	class := scheduler.Batch
	if cat == azInteractive {
		class = scheduler.Service
	}
	j := &scheduler.Job{ID: scheduler.JobID(b.st.Jobs), Name: string(key), Submit: submit, Class: class, Tenant: tenant,
		Tasks: []scheduler.Task{{Request: scheduler.Res(cpu, mem, 0), Runtime: rt}}}
	return b.job(j, []uint8{flags})
}

// keysFor supports Sample: vmtable rows are sampled by VM (vmid) and vmcreated.
func (a *azureReader) keysFor(name string) (bool, int, func([]byte) (rowKeys, bool)) {
	if matchTable(name, []*csvTable{a.t}) == nil {
		return false, 0, nil
	}
	return true, 0, csvRowKeys(a.t, [3]int{a.c.VMCreated.index, a.c.VMID.index, -1}, false, func(f []byte) (scheduler.Time, bool) {
		if v, e := atoi(f); e == numOK && v >= 0 && v < 1<<40 {
			return secondsToTime(v), true
		}
		return 0, false
	})
}
