// Package mesos is part of schedlab (work in progress).
package mesos
