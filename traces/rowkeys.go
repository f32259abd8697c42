package traces

import "github.com/schedlab/schedlab/scheduler"

// csvRowKeys returns the Sample keys function of the CSV table t, for the
// readers whose keys are plain columns. cols holds the time, job and machine
// columns (-1 = none). A line is split with splitCSV; a line with a wrong field
// count (other than len(t.cols), or with atLeast fewer) has no keys and is kept
// as is. The time is timeOf of its column when timeOf accepts it; the job is its
// column; the machine is its column when not empty.
func csvRowKeys(t *csvTable, cols [3]int, atLeast bool, timeOf func(field []byte) (scheduler.Time, bool)) func([]byte) (rowKeys, bool) {
	var f [][]byte
	return func(line []byte) (rowKeys, bool) {
		f, _, _ = splitCSV(line, f, nil)
		if len(f) < len(t.cols) || !atLeast && len(f) != len(t.cols) {
			return rowKeys{}, false
		}
		var k rowKeys
		if cols[0] >= 0 {
			k.time, k.hasTime = timeOf(f[cols[0]])
		}
		if cols[1] >= 0 {
			k.job = f[cols[1]]
		}
		if cols[2] >= 0 && len(f[cols[2]]) > 0 {
			k.machine = f[cols[2]]
		}
		return k, true
	}
}
