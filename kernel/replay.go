package kernel

import "sync"

// digestHistorySize is how many signatures the kernel remembers to reject
// replayed messages, as jupyter_client's Session.digest_history_size.
const digestHistorySize = 1 << 16

// digestHistory remembers the signatures of accepted messages, so that a
// signed message captured on the wire and sent again is dropped, as
// jupyter_client's Session does. The oldest signatures are forgotten first.
type digestHistory struct {
	enabled bool
	max     int

	mu   sync.Mutex
	seen map[string]struct{}
	fifo []string
	next int // index of the oldest signature in fifo once full
}

func newDigestHistory(enabled bool, max int) *digestHistory {
	return &digestHistory{enabled: enabled, max: max, seen: make(map[string]struct{})}
}

// add records sig and reports whether it is new. Without signing every
// message is new.
func (d *digestHistory) add(sig string) bool {
	if !d.enabled {
		return true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, dup := d.seen[sig]; dup {
		return false
	}
	d.seen[sig] = struct{}{}
	if len(d.fifo) < d.max {
		d.fifo = append(d.fifo, sig)
		return true
	}
	delete(d.seen, d.fifo[d.next])
	d.fifo[d.next] = sig
	d.next = (d.next + 1) % d.max
	return true
}
