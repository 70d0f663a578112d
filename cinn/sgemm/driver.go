// Copyright ©2026 The gocinn Authors. All rights reserved.

package sgemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Blocking parameters. A block of kc rows of op(B) by nc columns, in NR-wide
// panels, stays in the L2 cache (256·512·4 B = 512 KiB) while every MR-row
// micro-panel of A (at most 21·256·4 B = 21 KiB, read in place) is
// multiplied with it from the L1 cache.
const (
	kcMax = 256 // k depth of a block
	ncMax = 512 // columns of a block (rounded down to whole panels)
)

// minParallelFlops is the work below which Sgemm stays on one goroutine:
// handing work to another core costs a few microseconds.
const minParallelFlops = 1 << 18

// operand is a matrix view: element (i, j) is data[i*rs+j*cs].
type operand struct {
	data   []float32
	rs, cs int
}

// t returns the transpose of o.
func (o operand) t() operand { return operand{data: o.data, rs: o.cs, cs: o.rs} }

// kernelSet is a family of micro-kernels for one instruction set.
type kernelSet struct {
	name    string
	kernels []kernel
	dot     *dotKernel  // nil if the set has none
	gemvT   *gemvKernel // nil if the set has none
}

// Costs of the cost model, in cycles per element.
const (
	mergeCost      = 1.5  // an edge tile's element merged into C in Go
	packCostUnit   = 0.25 // a B element packed from a contiguous row
	packCostStride = 1.5  // a B element packed from a strided column
)

// cost estimates the cycles of C(m×n) = A(m×k)·B(k×n) with kernel kn.
func cost(kn *kernel, m, n, k int, b, c operand) float64 {
	mt, nt := (m+kn.mr-1)/kn.mr, (n+kn.nr-1)/kn.nr
	tiles := float64(mt * nt)
	tile := float64(kn.mr * kn.nr)
	t := tiles * tile * float64(k) / kn.speed
	edge := tiles
	if c.cs == 1 {
		edge = 0
		if m%kn.mr != 0 {
			edge += float64(nt)
		}
		if n%kn.nr != 0 {
			edge += float64(mt)
		}
	}
	t += edge * tile * mergeCost * float64((k+kcMax-1)/kcMax)
	// Whole panels of a B with contiguous rows are read in place; the rest
	// is packed.
	switch {
	case b.cs != 1:
		t += float64(k*nt*kn.nr) * packCostStride
	case n%kn.nr != 0:
		t += float64(k*kn.nr) * packCostUnit
	}
	return t
}

// choose picks the kernel and orientation (C or Cᵀ = op(B)ᵀ·op(A)ᵀ) of
// least estimated cost.
func choose(set []kernel, m, n, k int, a, b, c operand) (kn *kernel, swap bool) {
	best := 0.0
	for i := range set {
		x := &set[i]
		if t := cost(x, m, n, k, b, c); kn == nil || t < best {
			kn, swap, best = x, false, t
		}
		if t := cost(x, n, m, k, a.t(), c.t()); t < best {
			kn, swap, best = x, true, t
		}
	}
	return kn, swap
}

// gemm computes C = alpha·A·B + beta·C for the m×n matrix C, using up to
// workers goroutines.
func gemm(set *kernelSet, workers int, m, n, k int, alpha float32, a, b operand, beta float32, c operand) {
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scale(m, n, beta, c)
		return
	}
	flops := 2 * float64(m) * float64(n) * float64(k)
	workers = min(workers, int(flops/minParallelFlops)+1)
	if set.dot != nil && useDot(m, n, k, a, c) {
		runDot(set.dot, workers, m, n, k, alpha, a, b, beta, c)
		return
	}
	kn, swap := choose(set.kernels, m, n, k, a, b, c)
	run(kn, swap, workers, m, n, k, alpha, a, b, beta, c)
}

// run computes C = alpha·A·B + beta·C with kernel kn (alpha ≠ 0, k > 0),
// as Cᵀ = Bᵀ·Aᵀ if swap, on at most workers goroutines.
func run(kn *kernel, swap bool, workers int, m, n, k int, alpha float32, a, b operand, beta float32, c operand) {
	if swap {
		m, n = n, m
		a, b = b.t(), a.t()
		c = c.t()
	}
	j := getJob()
	defer putJob(j)
	j.kn, j.m, j.n, j.k = kn, m, n, k
	j.alpha, j.beta = alpha, beta
	j.a, j.b, j.c = a, b, c

	// Even k blocks no deeper than kcMax; blocks of whole panels no wider
	// than ncMax.
	kb := (k + kcMax - 1) / kcMax
	j.kc = (k + kb - 1) / kb
	j.np = (n + kn.nr - 1) / kn.nr
	j.bq = max(ncMax/kn.nr, 1)

	// Units of work: chunks of row panels, each over all of B, or when C
	// has few row panels, chunks of column panels. Several units per
	// worker let a worker that got less of the machine do less.
	mp := (m + kn.mr - 1) / kn.mr
	if mp >= j.np || mp >= 4*workers {
		j.rowUnits = true
		j.unitSize = max(1, mp/(4*workers))
		j.units = (mp + j.unitSize - 1) / j.unitSize
	} else {
		j.rowUnits = false
		j.unitSize = max(1, j.np/(4*workers))
		j.units = (j.np + j.unitSize - 1) / j.unitSize
	}
	j.workers = max(1, min(workers, j.units))
	need := j.packVolume()
	if cap(j.packed) < need {
		j.packed = make([]float32, need)
	}
	j.packed = j.packed[:need]
	if cap(j.panel) < j.np {
		j.panel = make([]atomic.Int32, j.np)
	}
	j.panel = j.panel[:j.np]
	for q := range j.panel {
		j.panel[q].Store(unpacked)
	}
	if mr := kn.mr; m%mr != 0 {
		// The short last row panel, packed once for every unit that
		// needs it.
		if cap(j.edgeA) < mr*k {
			j.edgeA = make([]float32, mr*k)
		}
		j.edgeA = j.edgeA[:mr*k]
		packEdgeA(j.edgeA, a, m/mr*mr, m%mr, mr, 0, k)
	}
	if j.workers > 1 && j.packVolume() <= serialPack {
		// Too little to share: pack it all before the workers start.
		for q := range j.np {
			j.ensure(q)
		}
	}
	j.start()
}

// start runs the workers of j and waits for them.
func (j *job) start() {
	for len(j.scratch) < j.workers {
		j.scratch = append(j.scratch, scratch{})
	}
	j.nextPack.Store(0)
	j.nextUnit.Store(0)
	if j.workers == 1 {
		j.work(0)
		return
	}
	j.wg.Add(j.workers - 1)
	startHelpers(j.workers - 1)
	for i := 1; i < j.workers; i++ {
		tasks <- task{j: j, w: i}
	}
	j.work(0)
	j.wg.Wait()
}

// job is one Sgemm call shared by its workers. Jobs and their buffers are
// recycled through jobPool, so a steady stream of calls does not allocate.
//
// The workers first pack, panel by panel, the parts of B that the kernels
// cannot read in place, then take units of C one at a time until none is
// left. A panel some other worker has not finished packing is waited for
// only when it is needed; nothing waits for a worker that has not started,
// so on a busy machine the first worker may do everything.
type job struct {
	kn          *kernel
	dot         *dotKernel // the dot-product path if not nil
	m, n, k     int
	alpha, beta float32
	a, b, c     operand
	kc          int // depth of a k block
	np          int // column panels of C
	bq          int // column panels in a cache block
	rowUnits    bool
	unitSize    int // row or column panels in a unit
	units       int
	workers     int
	packed      []float32 // B's panels, each of k rows of nr values
	edgeA       []float32 // A's short last row panel, k-major, zero-padded
	scratch     []scratch // one per worker
	nextPack    atomic.Int64
	nextUnit    atomic.Int64
	panel       []atomic.Int32 // per column panel: unpacked, packing, ready
	wg          sync.WaitGroup
}

// scratch is a worker's room for an edge tile of C.
type scratch struct {
	c [maxMR * maxNR]float32
}

var jobPool = sync.Pool{New: func() any { return new(job) }}

func getJob() *job { return jobPool.Get().(*job) }

func putJob(j *job) {
	j.kn, j.dot = nil, nil
	j.a, j.b, j.c = operand{}, operand{}, operand{}
	jobPool.Put(j)
}

// work is the life of worker w: pack, then compute units.
func (j *job) work(w int) {
	if j.dot != nil {
		j.workDot(w)
		return
	}
	for {
		q := int(j.nextPack.Add(1) - 1)
		if q >= j.np {
			break
		}
		j.ensure(q)
	}
	mp := (j.m + j.kn.mr - 1) / j.kn.mr
	for {
		u := int(j.nextUnit.Add(1) - 1)
		if u >= j.units {
			return
		}
		lo, hi := u*j.unitSize, (u+1)*j.unitSize
		if j.rowUnits {
			j.compute(w, lo, min(hi, mp), 0, j.np)
		} else {
			j.compute(w, 0, mp, lo, min(hi, j.np))
		}
	}
}

// serialPack is the most values of B the caller packs alone before the
// workers start; more is packed by all workers.
const serialPack = 1 << 14

// packBase is the offset in j.packed of column panel q, which is not read
// in place: all panels are packed, or only the last.
func (j *job) packBase(q int) int {
	if j.b.cs != 1 || !inPlaceB {
		return q * j.kn.nr * j.k
	}
	return 0
}

// packVolume is the number of values of B that need packing.
func (j *job) packVolume() int {
	nr := j.kn.nr
	switch {
	case j.b.cs != 1 || !inPlaceB:
		return j.np * nr * j.k
	case j.n%nr != 0:
		return nr * j.k
	}
	return 0
}

// Panel states.
const (
	unpacked = iota
	packing
	ready
)

// ensure returns once column panel q is ready for the kernels: packed by
// this worker if no other has started it, or by the one that has. Workers
// pack panels in turn before they compute, so waiting is rare: only when
// two reach the same panel at once.
func (j *job) ensure(q int) {
	st := &j.panel[q]
	if st.Load() == ready {
		return
	}
	if st.CompareAndSwap(unpacked, packing) {
		j.pack(q)
		st.Store(ready)
		return
	}
	for spin := 0; st.Load() != ready; spin++ {
		if spin < 64 {
			runtime.Gosched()
		} else {
			// The packer has lost its CPU: give ours back rather than
			// burn it.
			time.Sleep(20 * time.Microsecond)
		}
	}
}

// inPlace reports whether the kernels read a panel width columns wide
// straight from B rather than packed: B's rows are contiguous and the panel
// is whole. Only edge panels and transposed B are packed.
func (j *job) inPlace(width int) bool {
	return inPlaceB && j.b.cs == 1 && width == j.kn.nr
}

var inPlaceB = true

// pack copies column panel q of B, all k rows of nr values, zero-padded
// past the edge, into j.packed unless the kernels read it in place.
func (j *job) pack(q int) {
	nr, k := j.kn.nr, j.k
	b := j.b
	j0 := q * nr
	width := min(nr, j.n-j0)
	if j.inPlace(width) {
		return
	}
	dst := j.packed[j.packBase(q):][:nr*k]
	switch {
	case b.cs == 1:
		for p := 0; p < k; p++ {
			row := dst[p*nr : (p+1)*nr]
			copy(row, b.data[p*b.rs+j0:][:width])
			clear(row[width:])
		}
	case b.rs == 1:
		// Columns of op(B) are contiguous: transpose four at a time, so
		// that every k step writes 16 contiguous bytes.
		jj := 0
		for ; jj+4 <= width; jj += 4 {
			c0 := b.data[(j0+jj)*b.cs:][:k]
			c1 := b.data[(j0+jj+1)*b.cs:][:k]
			c2 := b.data[(j0+jj+2)*b.cs:][:k]
			c3 := b.data[(j0+jj+3)*b.cs:][:k]
			for p := range c0 {
				d := dst[p*nr+jj : p*nr+jj+4 : p*nr+jj+4]
				d[0], d[1], d[2], d[3] = c0[p], c1[p], c2[p], c3[p]
			}
		}
		for ; jj < width; jj++ {
			col := b.data[(j0+jj)*b.cs:][:k]
			for p, v := range col {
				dst[p*nr+jj] = v
			}
		}
		if width < nr {
			for p := 0; p < k; p++ {
				clear(dst[p*nr+width : (p+1)*nr])
			}
		}
	default:
		for p := 0; p < k; p++ {
			row := dst[p*nr : (p+1)*nr]
			for jj := range row {
				if jj < width {
					row[jj] = b.data[p*b.rs+(j0+jj)*b.cs]
				} else {
					row[jj] = 0
				}
			}
		}
	}
}

// compute multiplies row panels [ilo, ihi) of A with column panels [qlo,
// qhi) of B into C, block by block: for every cache block of j.bq column
// panels, every k block in order (the first applies beta, the others add),
// every row panel with every column panel of the block.
func (j *job) compute(w, ilo, ihi, qlo, qhi int) {
	kn := j.kn
	mr, nr := kn.mr, kn.nr
	a, b, c := j.a, j.b, j.c
	scr := &j.scratch[w]
	for q0 := qlo; q0 < qhi; q0 += j.bq {
		q1 := min(q0+j.bq, qhi)
		for pc := 0; pc < j.k; pc += j.kc {
			kc := min(j.kc, j.k-pc)
			beta := j.beta
			if pc > 0 {
				beta = 1
			}
			for ip := ilo; ip < ihi; ip++ {
				i := ip * mr
				mcur := min(mr, j.m-i)
				var ap *float32
				rsa, csa := a.rs*4, a.cs*4
				if mcur == mr {
					ap = &a.data[i*a.rs+pc*a.cs]
				} else {
					ap, rsa, csa = &j.edgeA[pc*mr], 4, mr*4
				}
				for q := q0; q < q1; q++ {
					j.ensure(q)
					jj := q * nr
					ncur := min(nr, j.n-jj)
					var bp *float32
					var ldb int
					if j.inPlace(ncur) {
						bp, ldb = &b.data[pc*b.rs+jj], b.rs*4
					} else {
						bp, ldb = &j.packed[j.packBase(q)+pc*nr], nr*4
					}
					if mcur == mr && ncur == nr && c.cs == 1 {
						kn.fn(kc, ap, rsa, csa, bp, ldb, &c.data[i*c.rs+jj], c.rs*4, j.alpha, beta)
						continue
					}
					t := scr.c[:mr*nr]
					kn.fn(kc, ap, rsa, csa, bp, ldb, &t[0], nr*4, 1, 0)
					for ii := 0; ii < mcur; ii++ {
						tr := t[ii*nr : ii*nr+ncur]
						base := (i+ii)*c.rs + jj*c.cs
						if beta == 0 {
							for x, v := range tr {
								c.data[base+x*c.cs] = j.alpha * v
							}
						} else {
							for x, v := range tr {
								p := &c.data[base+x*c.cs]
								*p = float32(j.alpha*v) + float32(beta**p)
							}
						}
					}
				}
			}
		}
	}
}

// packEdgeA copies the mcur < mr rows of A from row i, k block (pc, kc),
// into buf k-major (mr values per k step), zero-padded.
func packEdgeA(buf []float32, a operand, i, mcur, mr, pc, kc int) {
	switch {
	case a.rs == 1: // k steps are contiguous runs of rows
		for p := 0; p < kc; p++ {
			row := buf[p*mr : (p+1)*mr]
			copy(row, a.data[(pc+p)*a.cs+i:][:mcur])
			clear(row[mcur:])
		}
	case a.cs == 1: // rows are contiguous in k
		for ii := 0; ii < mcur; ii++ {
			for p, v := range a.data[(i+ii)*a.rs+pc:][:kc] {
				buf[p*mr+ii] = v
			}
		}
		for p := 0; p < kc; p++ {
			clear(buf[p*mr+mcur : (p+1)*mr])
		}
	default:
		for p := 0; p < kc; p++ {
			for ii := 0; ii < mr; ii++ {
				if ii < mcur {
					buf[p*mr+ii] = a.data[(i+ii)*a.rs+(pc+p)*a.cs]
				} else {
					buf[p*mr+ii] = 0
				}
			}
		}
	}
}

// task hands worker w of job j to a helper goroutine.
type task struct {
	j *job
	w int
}

var (
	tasks      = make(chan task, 64)
	helpersMu  sync.Mutex
	numHelpers int
)

// startHelpers makes sure at least n helper goroutines serve tasks. They
// live as long as the process, idle on the channel.
func startHelpers(n int) {
	helpersMu.Lock()
	defer helpersMu.Unlock()
	for ; numHelpers < n; numHelpers++ {
		go helper()
	}
}

// helperSpin is how long a helper polls for the next task before it blocks:
// products come in bursts (a training step is a chain of them), and a
// goroutine that has to be woken up from a parked thread arrives tens of
// microseconds late, often after the caller has done the work alone.
var helperSpin = 50 * time.Microsecond

func helper() {
	for {
		var t task
		select {
		case t = <-tasks:
		default:
			t = pollTask()
		}
		t.j.work(t.w)
		t.j.wg.Done()
	}
}

// pollTask polls tasks for helperSpin, then blocks on it.
func pollTask() task {
	if helperSpin > 0 {
		deadline := time.Now().Add(helperSpin)
		for time.Now().Before(deadline) {
			select {
			case t := <-tasks:
				return t
			default:
				runtime.Gosched()
			}
		}
	}
	return <-tasks
}
