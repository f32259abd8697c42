// Package workload is part of schedlab (work in progress).
package workload
