// Package traces is part of schedlab (work in progress).
package traces
