// Copyright ©2026 The gocinn Authors. All rights reserved.

package sgemm

// useDot reports whether C = A·B goes to the dot-product kernel: C has few
// columns (a broadcast kernel would leave most of its 16 lanes idle), A's
// rows are contiguous in k and k is deep enough to fill the lanes.
func useDot(m, n, k int, a, c operand) bool {
	return a.cs == 1 && c.cs == 1 && n <= 16 && k >= 32 && k <= 4096 && m >= 4
}

// runDot computes C = alpha·A·B + beta·C with the dot-product kernel d, on
// at most workers goroutines. Bᵀ is packed, zero-padded to whole tiles.
func runDot(d *dotKernel, workers int, m, n, k int, alpha float32, a, b operand, beta float32, c operand) {
	j := getJob()
	defer putJob(j)
	j.dot, j.m, j.n, j.k = d, m, n, k
	j.alpha, j.beta = alpha, beta
	j.a, j.b, j.c = a, b, c
	np := (n + d.nd - 1) / d.nd
	if need := np * d.nd * k; cap(j.packed) < need {
		j.packed = make([]float32, need)
	}
	j.packed = j.packed[:np*d.nd*k]
	bt := j.packed
	for jj := 0; jj < n; jj++ {
		row := bt[jj*k : (jj+1)*k]
		for p := range row {
			row[p] = b.data[p*b.rs+jj*b.cs]
		}
	}
	clear(bt[n*k:])
	mp := m / d.mr
	j.unitSize = max(1, mp/(4*workers))
	j.units = (mp + j.unitSize - 1) / j.unitSize
	j.workers = max(1, min(workers, j.units))
	j.start()
}

// workDot is the life of worker w on the dot-product path: it takes units
// of row panels until none is left; the unit that ends with the last whole
// panel also does the rows past it.
func (j *job) workDot(w int) {
	d := j.dot
	mr, nd, k := d.mr, d.nd, j.k
	a, c := j.a, j.c
	scr := &j.scratch[w]
	mp := j.m / mr
	for {
		u := int(j.nextUnit.Add(1) - 1)
		if u >= j.units {
			return
		}
		lo, hi := u*j.unitSize, min((u+1)*j.unitSize, mp)
		for ip := lo; ip < hi; ip++ {
			i := ip * mr
			ap := &a.data[i*a.rs]
			for jj := 0; jj < j.n; jj += nd {
				bp := &j.packed[jj*k]
				if jj+nd <= j.n {
					d.fn(k, ap, a.rs*4, bp, k*4, &c.data[i*c.rs+jj], c.rs*4, j.alpha, j.beta)
					continue
				}
				t := scr.c[:mr*nd]
				d.fn(k, ap, a.rs*4, bp, k*4, &t[0], nd*4, 1, 0)
				for ii := 0; ii < mr; ii++ {
					for x, v := range t[ii*nd : ii*nd+j.n-jj] {
						p := &c.data[(i+ii)*c.rs+jj+x]
						if j.beta == 0 {
							*p = j.alpha * v
						} else {
							*p = j.alpha*v + j.beta**p
						}
					}
				}
			}
		}
		if hi == mp {
			j.dotTail(mp * mr)
		}
	}
}

// dotTail computes the rows of C from i0 on in plain Go.
func (j *job) dotTail(i0 int) {
	a, c, k := j.a, j.c, j.k
	for i := i0; i < j.m; i++ {
		ar := a.data[i*a.rs : i*a.rs+k]
		for jj := 0; jj < j.n; jj++ {
			var s float32
			for p, v := range j.packed[jj*k : (jj+1)*k] {
				s += ar[p] * v
			}
			p := &c.data[i*c.rs+jj]
			if j.beta == 0 {
				*p = j.alpha * s
			} else {
				*p = j.alpha*s + j.beta**p
			}
		}
	}
}
