package kernel

import "time"

// SetHandshakeTimeout sets the ZMTP handshake bound for a test and
// returns a function restoring it.
func SetHandshakeTimeout(d time.Duration) (restore func()) {
	old := handshakeTimeout.Swap(int64(d))
	return func() { handshakeTimeout.Store(old) }
}
