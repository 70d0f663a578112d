package kernel

import "sync"

// queued is an item of the shell queue: a request, or the marker that
// ends an abort window after a failed cell.
type queued struct {
	msg          *Message
	stopAborting bool
}

// queue is an unbounded FIFO between the shell reader and the shell worker.
type queue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []queued
	closed bool
}

func newQueue() *queue {
	q := &queue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *queue) push(it queued) {
	q.mu.Lock()
	if !q.closed {
		q.items = append(q.items, it)
	}
	q.mu.Unlock()
	q.cond.Signal()
}

// pop waits for an item; ok is false once the queue is closed.
func (q *queue) pop() (it queued, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return queued{}, false
	}
	it = q.items[0]
	q.items[0] = queued{}
	q.items = q.items[1:]
	return it, true
}

func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}
