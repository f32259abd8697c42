package traces_test

import (
	"fmt"
	"io"
	"log"

	"github.com/schedlab/schedlab/traces"
)

// Open a trace as shipped (here the SWF fixture) and stream its machines and
// jobs; Options change how rows map to jobs.
func Example() {
	opt, err := traces.ParseOptions("gang=none")
	if err != nil {
		log.Fatal(err)
	}
	r, err := traces.Open("swf", []string{"testdata/swf/fixture.swf"}, opt)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	machines := 0
	for {
		ev, err := r.NextNodeEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if machines == 0 {
			fmt.Println("first machine:", ev.Node.Name, ev.Node.Capacity)
		}
		machines++
	}
	for {
		j, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("job %d at %v: %d tasks of %v for %v\n", j.ID, j.Submit, len(j.Tasks), j.Tasks[0].Request, j.Tasks[0].Runtime)
	}
	fmt.Println("machines:", machines, "skipped:", r.Skipped())
	// Output:
	// first machine: n0 cpu=4000m,mem=16Mi
	// job 1 at 0s: 4 tasks of cpu=1000m,mem=2Mi for 1m40s
	// job 2 at 5s: 8 tasks of cpu=1000m for 50s
	// job 3 at 30s: 2 tasks of cpu=1000m,mem=4Mi for 1m20s
	// job 4 at 40s: 16 tasks of cpu=1000m,mem=1Mi for 4s
	// job 5 at 50s: 1 tasks of cpu=1000m,mem=1Mi for 10s
	// machines: 4 skipped: map[]
}

// Stats summarises a trace without replaying it.
func ExampleStats() {
	st, err := traces.Stats("alibaba2018", []string{"testdata/alibaba2018"}, traces.DefaultOptions())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Machines, "machines,", st.Jobs, "jobs,", st.Tasks, "tasks;", st.Rows["batch_instance"], "batch_instance rows")
	fmt.Println("replayed:", st.Counters["jobs_replayed"], "jobs,", st.Counters["tasks_replayed"], "tasks")
	// Output:
	// 3 machines, 11 jobs, 25 tasks; 9 batch_instance rows
	// replayed: 7 jobs, 16 tasks
}

// Formats lists the readers.
func ExampleFormats() {
	for _, f := range traces.Formats() {
		fmt.Println(f.Name)
	}
	// Output:
	// alibaba2017
	// alibaba2018
	// azure2017
	// azure2019
	// azure2020
	// google2011
	// google2019
	// openb2023
	// pai2020
	// philly
	// schedlab
	// swf
}
