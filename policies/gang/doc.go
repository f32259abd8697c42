// Package gang is part of schedlab (work in progress).
package gang
