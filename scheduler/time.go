package scheduler

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Time is simulated time in microseconds since the start of a run (the unit of the
// Google traces). It is used both for instants and for durations. The core never
// reads the wall clock: Time only advances when the event engine pops an event.
type Time int64

// Units of simulated time.
const (
	Microsecond Time = 1
	Millisecond      = 1000 * Microsecond
	Second           = 1000 * Millisecond
	Minute           = 60 * Second
	Hour             = 60 * Minute
	Day              = 24 * Hour
)

// Forever is a sentinel for "never": an infinite timeout or a task that runs until
// the horizon.
const Forever Time = 1<<63 - 1

// Seconds returns t in (simulated) seconds.
func (t Time) Seconds() float64 { return float64(t) / float64(Second) }

// Seconds converts a number of seconds to Time, rounding to the nearest microsecond.
func Seconds(s float64) Time {
	if s >= float64(Forever)/float64(Second) {
		return Forever
	}
	if s >= 0 {
		return Time(s*float64(Second) + 0.5)
	}
	return Time(s*float64(Second) - 0.5)
}

// String formats t as a Go duration ("1m30s"), or "forever".
func (t Time) String() string {
	if t == Forever {
		return "forever"
	}
	return time.Duration(t * 1000).String()
}

// ParseTime parses a duration such as "90s", "1.5h", "29d", "forever" or a bare
// number of seconds ("30"). Days ("d") are accepted on top of Go's units.
func ParseTime(s string) (Time, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "":
		return 0, fmt.Errorf("scheduler: empty duration")
	case "forever", "inf", "never":
		return Forever, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) {
			return 0, fmt.Errorf("scheduler: duration %q is not a number", s)
		}
		if f < 0 {
			return 0, fmt.Errorf("scheduler: negative duration %q", s)
		}
		return nonZero(s, f > 0, Seconds(f))
	}
	if strings.HasSuffix(s, "d") {
		f, err := strconv.ParseFloat(strings.TrimSuffix(s, "d"), 64)
		if err != nil || !(f >= 0) {
			return 0, fmt.Errorf("scheduler: bad duration %q", s)
		}
		return nonZero(s, f > 0, Seconds(f*86400))
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("scheduler: bad duration %q (want e.g. 90s, 1.5h, 29d, forever)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("scheduler: negative duration %q", s)
	}
	return nonZero(s, d > 0, Time(d/1000))
}

// nonZero rejects a positive duration s that rounds to 0 µs: below the resolution
// of simulated time it would silently mean "none" where 0 has that meaning.
func nonZero(s string, positive bool, t Time) (Time, error) {
	if positive && t == 0 {
		return 0, fmt.Errorf("scheduler: duration %q is below the resolution of simulated time (1µs)", s)
	}
	return t, nil
}
