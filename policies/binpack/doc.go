// Package binpack is part of schedlab (work in progress).
package binpack
