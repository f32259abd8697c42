// Package omega is part of schedlab (work in progress).
package omega
