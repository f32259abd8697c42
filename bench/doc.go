// Package bench is part of schedlab (work in progress).
package bench
