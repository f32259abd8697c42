//go:build unix

package binpack

import "syscall"

// cpuSeconds returns the process's user + system CPU time, so benchmarks can report
// rates per CPU second, which a shared, loaded machine distorts far less than rates
// per wall second.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
