package main

import (
	"fmt"
	"io"
)

func runBench(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "schedlab bench: sweeps are being built (issue 10); use schedlab run for now")
	return exitFail
}
