package traces

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// genAli18Instances writes n batch_instance rows (jobs of 4 tasks of 25
// instances, a retry every 10th instance) to w, jobs in a shuffled order.
func genAli18Instances(w io.Writer, n int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 18))
	bw := bufio.NewWriterSize(w, 1<<20)
	tasks := []string{"M1", "M2_1", "R3_1", "J4_2_3"}
	jobs := n/100 + 1
	for i := 0; i < n; i++ {
		job := rng.IntN(jobs)
		t := tasks[rng.IntN(len(tasks))]
		start := 1000 + rng.IntN(600000)
		fmt.Fprintf(bw, "ins_%d,%s,j_%d,1,Terminated,%d,%d,m_%d,1,1,%.2f,%.2f,%.2f,%.2f\n",
			i%25, t, job, start, start+rng.IntN(3600), rng.IntN(4000), 10+rng.Float64()*90, 50+rng.Float64()*100, rng.Float64(), rng.Float64())
	}
	bw.Flush()
}

// genAli18Tasks writes the batch_task rows matching genAli18Instances.
func genAli18Tasks(w io.Writer, n int) {
	bw := bufio.NewWriterSize(w, 1<<20)
	jobs := n/100 + 1
	for j := 0; j < jobs; j++ {
		for k, t := range []string{"M1", "M2_1", "R3_1", "J4_2_3"} {
			fmt.Fprintf(bw, "%s,25,j_%d,1,Terminated,%d,%d,100,0.5\n", t, j, 1000+k*10, 700000)
		}
	}
	bw.Flush()
}

// cpuSeconds returns the process's user+system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// benchRows runs Stats over in-memory files and reports rows/s (wall) and
// rows/cpu-s (rows per second of CPU time used: per-core throughput, which a
// busy shared machine does not distort).
func benchRows(b *testing.B, format string, files map[string]string, rows int) {
	b.Helper()
	size := 0
	for _, v := range files {
		size += len(v)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	c0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		st, err := statsMem(format, files, DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		var total int64
		for _, n := range st.Rows {
			total += n
		}
		if total != int64(rows) || st.Counters["jobs_replayed"] == 0 {
			b.Fatalf("read %d rows (want %d), %d jobs", total, rows, st.Counters["jobs_replayed"])
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(rows)*float64(b.N)/(cpuSeconds()-c0), "rows/cpu-s")
}

// BenchmarkAlibaba2018BatchInstanceParse measures the row pass alone (read,
// split, validate every field, build the group record) for batch_instance.
func BenchmarkAlibaba2018BatchInstanceParse(b *testing.B) {
	const n = 200000
	var buf bytes.Buffer
	genAli18Instances(&buf, n, 1)
	data := buf.String()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	c0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		opt := DefaultOptions()
		bd := newBuilder("alibaba2018", &opt, true)
		bd.discardGroups = true
		rd := &ali18Reader{}
		if _, err := rd.input(bd, member{name: "batch_instance.csv", r: strings.NewReader(data)}); err != nil {
			b.Fatal(err)
		}
		if bd.st.Rows["batch_instance"] != n {
			b.Fatalf("rows %d", bd.st.Rows["batch_instance"])
		}
		bd.close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(n)*float64(b.N)/(cpuSeconds()-c0), "rows/cpu-s")
}

// BenchmarkAlibaba2018Stats measures the whole pipeline (parse, external sort,
// job assembly) on batch_task + batch_instance.
func BenchmarkAlibaba2018Stats(b *testing.B) {
	const n = 200000
	var inst, task bytes.Buffer
	genAli18Instances(&inst, n, 1)
	genAli18Tasks(&task, n)
	rows := n + (n/100+1)*4
	benchRows(b, "alibaba2018", map[string]string{"batch_instance.csv": inst.String(), "batch_task.csv": task.String()}, rows)
}

func BenchmarkGoogle2011Stats(b *testing.B) {
	const jobs = 2000
	var ev bytes.Buffer
	rng := rand.New(rand.NewPCG(1, 2011))
	rows := 0
	for j := 0; j < jobs; j++ {
		for t := 0; t < 25; t++ {
			s := 600000000 + rng.Int64N(2e12)
			fmt.Fprintf(&ev, "%d,,%d,%d,,0,AL1ptJgzhEaoLf97k5xU6Uc2VO0yUaPQd/feJ5LMWhA=,0,%d,0.02499,0.07959,0.0003862,0\n", s, 6000000000+j, t, rng.IntN(12))
			fmt.Fprintf(&ev, "%d,,%d,%d,%d,1,AL1ptJgzhEaoLf97k5xU6Uc2VO0yUaPQd/feJ5LMWhA=,0,0,,,,\n", s+1e6, 6000000000+j, t, 4400000000+rng.IntN(12000))
			fmt.Fprintf(&ev, "%d,,%d,%d,%d,4,AL1ptJgzhEaoLf97k5xU6Uc2VO0yUaPQd/feJ5LMWhA=,0,0,,,,\n", s+5e8, 6000000000+j, t, 4400000000+rng.IntN(12000))
			rows += 3
		}
	}
	benchRows(b, "google2011", map[string]string{"task_events/part-00000-of-00001.csv": ev.String()}, rows)
}

func BenchmarkGoogle2019Stats(b *testing.B) {
	var ev bytes.Buffer
	rows := 0
	for j := 0; j < 2000; j++ {
		for t := 0; t < 10; t++ {
			fmt.Fprintf(&ev, `{"time":"%d","type":0,"collection_id":"%d","instance_index":%d,"priority":200,"collection_type":0,"resource_request":{"cpus":0.02,"memory":0.01}}`+"\n", 700000000+j*1000, 400000000000+j, t)
			fmt.Fprintf(&ev, `{"time":"%d","type":3,"collection_id":"%d","instance_index":%d,"machine_id":"%d","priority":200,"collection_type":0}`+"\n", 700001000+j*1000, 400000000000+j, t, 100+t)
			fmt.Fprintf(&ev, `{"time":"%d","type":6,"collection_id":"%d","instance_index":%d,"machine_id":"%d","priority":200,"collection_type":0}`+"\n", 900001000+j*1000, 400000000000+j, t, 100+t)
			rows += 3
		}
	}
	benchRows(b, "google2019", map[string]string{"instance_events-000000000000.json": ev.String()}, rows)
}

func BenchmarkAlibaba2017Stats(b *testing.B) {
	var task, inst bytes.Buffer
	rows := 0
	for j := 0; j < 5000; j++ {
		fmt.Fprintf(&task, "%d,%d,%d,1,10,Terminated,1,0.01\n", 100+j, 5000+j, j)
		rows++
		for i := 0; i < 10; i++ {
			fmt.Fprintf(&inst, "%d,%d,%d,1,%d,Terminated,1,1,1.5,0.9,0.02,0.01\n", 110+j, 4000+j, j, i)
			rows++
		}
	}
	benchRows(b, "alibaba2017", map[string]string{"batch_task.csv": task.String(), "batch_instance.csv": inst.String()}, rows)
}

func BenchmarkPAI2020Stats(b *testing.B) {
	var job, task, inst bytes.Buffer
	rows := 0
	for j := 0; j < 5000; j++ {
		fmt.Fprintf(&job, "job%d,i%d,u1,Terminated,%d,%d\n", j, j, 1594000000+j, 1594003600+j)
		fmt.Fprintf(&task, "job%d,worker,4,Terminated,%d,%d,400,29.3,50,V100\n", j, 1594000000+j, 1594003600+j)
		rows += 2
		for i := 0; i < 4; i++ {
			fmt.Fprintf(&inst, "job%d,worker,inst%d,w%d,i%d,Terminated,%d,%d,m%d\n", j, i, i, j, 1594000010+j, 1594003500+j, i)
			rows++
		}
	}
	benchRows(b, "pai2020", map[string]string{"pai_job_table.csv": job.String(), "pai_task_table.csv": task.String(), "pai_instance_table.csv": inst.String()}, rows)
}

func BenchmarkSWFStats(b *testing.B) {
	var log bytes.Buffer
	log.WriteString("; MaxNodes: 128\n; MaxProcs: 1024\n")
	for j := 1; j <= 50000; j++ {
		fmt.Fprintf(&log, "%6d %8d %5d %6d %4d -1 -1 %4d %6d -1 1 %d 1 1 1 1 -1 -1\n", j, j*10, j%100, 60+j%3600, 1+j%8, 1+j%8, 3600, j%50)
	}
	benchRows(b, "swf", map[string]string{"log.swf": log.String()}, 50000)
}

func BenchmarkOpenb2023Stats(b *testing.B) {
	var pods bytes.Buffer
	pods.WriteString("name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n")
	for j := 0; j < 50000; j++ {
		fmt.Fprintf(&pods, "p%05d,%d,%d,1,%d,,LS,Running,%d,%d,%d\n", j, 1000+j%8000, 1024+j%4096, 100+j%900, j*10, j*10+3600, j*10+1)
	}
	benchRows(b, "openb2023", map[string]string{"pods.csv": pods.String()}, 50000)
}

func BenchmarkPhillyStats(b *testing.B) {
	var log bytes.Buffer
	log.WriteString("[\n")
	for j := 0; j < 20000; j++ {
		if j > 0 {
			log.WriteString(",\n")
		}
		fmt.Fprintf(&log, `{"status":"Pass","vc":"vc1","jobid":"application_%d","submitted_time":"2017-10-03 00:08:00","user":"u","attempts":[{"start_time":"2017-10-03 00:10:00","end_time":"2017-10-03 01:10:00","detail":[{"ip":"m1","gpus":["gpu0","gpu1"]}]}]}`, j)
	}
	log.WriteString("\n]\n")
	benchRows(b, "philly", map[string]string{"cluster_job_log": log.String()}, 20000)
}

// BenchmarkCanonicalReplay measures replaying the canonical format.
func BenchmarkCanonicalReplay(b *testing.B) {
	dir := b.TempDir()
	const n = 200000
	writeFile(b, filepath.Join(dir, "batch_instance.csv"), func(w io.Writer) { genAli18Instances(w, n, 1) })
	writeFile(b, filepath.Join(dir, "batch_task.csv"), func(w io.Writer) { genAli18Tasks(w, n) })
	out := filepath.Join(dir, "c.schedlab.gz")
	f, _ := os.Create(out)
	st, err := Convert("alibaba2018", []string{dir + "/batch_instance.csv", dir + "/batch_task.csv"}, DefaultOptions(), f)
	if err != nil {
		b.Fatal(err)
	}
	want := int(st.Counters["tasks_replayed"])
	f.Close()
	b.ResetTimer()
	c0 := cpuSeconds()
	tasks := 0
	for i := 0; i < b.N; i++ {
		r, err := Open(CanonicalFormat, []string{out}, DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		tasks = 0
		for {
			j, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			tasks += len(j.Tasks)
		}
		r.Close()
		if tasks != want || want == 0 {
			b.Fatalf("replayed %d tasks, want %d", tasks, want)
		}
	}
	b.ReportMetric(float64(tasks)*float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
	b.ReportMetric(float64(tasks)*float64(b.N)/(cpuSeconds()-c0), "tasks/cpu-s")
}

func writeFile(tb testing.TB, path string, fn func(w io.Writer)) {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	var w io.Writer = f
	var zw *gzip.Writer
	if strings.HasSuffix(path, ".gz") {
		zw, _ = gzip.NewWriterLevel(f, gzip.BestSpeed)
		w = zw
	}
	fn(w)
	if zw != nil {
		zw.Close()
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

var largeRows = flag.Int("traces.large", 0, "TestLargeReplay: batch_instance rows to generate (0 skips it)")

// TestLargeReplay generates a sharded Alibaba-2018-shaped batch_instance set of
// -traces.large rows (gzip shards), replays it with a small sort budget and
// reports wall time and peak RSS. Run: go test ./traces -run LargeReplay -traces.large=20000000 -v
func TestLargeReplay(t *testing.T) {
	if *largeRows == 0 {
		t.Skip("set -traces.large=ROWS to run the bounded-memory replay")
	}
	dir := t.TempDir()
	n := *largeRows
	const shards = 8
	t0 := time.Now()
	for s := 0; s < shards; s++ {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("batch_instance-part-%02d.csv.gz", s)), func(w io.Writer) { genAli18Instances(w, n/shards, uint64(s)) })
	}
	writeFile(t, filepath.Join(dir, "batch_task.csv.gz"), func(w io.Writer) { genAli18Tasks(w, n/shards) })
	t.Logf("generated %d rows in %d shards in %v", n, shards, time.Since(t0))
	opt := DefaultOptions()
	opt.SortMemMiB = 64
	t0 = time.Now()
	r, err := Open("alibaba2018", []string{dir}, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tOpen := time.Since(t0)
	jobs, tasks := 0, 0
	for {
		j, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		jobs++
		tasks += len(j.Tasks)
	}
	wall := time.Since(t0)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("replayed %d rows → %d jobs, %d tasks: open %v, total %v (%.0f rows/s); peak RSS %d MiB, Go heap sys %d MiB",
		r.Stats().Rows["batch_instance"], jobs, tasks, tOpen, wall, float64(n)/wall.Seconds(), ru.Maxrss/1024, ms.HeapSys>>20)
	if int64(tasks) == 0 || r.Stats().Rows["batch_instance"] != int64(n/shards*shards) {
		t.Fatalf("rows %d, tasks %d", r.Stats().Rows["batch_instance"], tasks)
	}
}
