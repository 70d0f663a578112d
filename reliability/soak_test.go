package reliability_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gocinn/gocinn/kernel/kerneltest"
	"github.com/gocinn/gocinn/reliability"
)

// soakCells are the cells of the soak, drawn in turn: quick magics,
// inference, figures, files, completion-heavy and failing cells.
var soakCells = []string{
	"%echo soak",
	"%who",
	"%show two_moons --head 2",
	"%sample --obs two_moons_obs --n 128 --as soak",
	"%export soak soak.csv",
	"%load soak.csv --as soak_loaded",
	"%help train",
	"%nosuchmagic",
	"%simulate two_moons --n 500 --seed 7 --as small --quiet\n%derive small r=theta1+theta2\n%reset small",
	"%plot loss --width 200",
	"%echo a\n%echo b\n%who",
	"%load missing.csv",
	"%show soak_samples --head 1",
	"%train --epochs 1 --batch 512",
}

// TestSoak runs thousands of mixed cells, with completion, inspection and
// is_complete requests between them, and prints the goroutine count and
// heap at every tenth of the run; neither may grow.
func TestSoak(t *testing.T) {
	n := count(300, 10000)
	s := newSession(t, kerneltest.Config{})
	c := s.c
	setupWorkflow(t, c)
	start := time.Now()
	var marks []reliability.Snapshot
	marks = append(marks, reliability.Measure())
	t.Logf("%6d cells: %s", 0, marks[0])
	statuses := map[string]int{}
	for i := 0; i < n; i++ {
		code := soakCells[i%len(soakCells)]
		reply, iopub, err := c.Execute(code)
		if err != nil {
			t.Fatalf("cell %d %q: %v", i, code, err)
		}
		st := fmt.Sprint(content(t, reply)["status"])
		if e := errorText(t, iopub); strings.HasPrefix(e, "InternalError") || strings.HasPrefix(e, "Panic") {
			t.Fatalf("cell %d %q: %s", i, code, e)
		}
		statuses[st]++
		if i%7 == 0 {
			if _, _, err := c.Request(kerneltest.Shell, "complete_request", map[string]any{"code": "%sample --obs two", "cursor_pos": 17}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := c.Request(kerneltest.Control, "inspect_request", map[string]any{"code": "%train", "cursor_pos": 3, "detail_level": 0}); err != nil {
				t.Fatal(err)
			}
		}
		// The client keeps every message; forget them, as a frontend does.
		if i%50 == 49 {
			c.Close()
			if c, err = kerneltest.Dial(s.k.Info); err != nil {
				t.Fatal(err)
			}
			c.Timeout = 60 * time.Second
			if err := c.WaitReady(); err != nil {
				t.Fatal(err)
			}
		}
		if (i+1)%max(1, n/10) == 0 {
			m := reliability.Measure()
			marks = append(marks, m)
			t.Logf("%6d cells: %s", i+1, m)
		}
	}
	c.Close()
	elapsed := time.Since(start)
	t.Logf("%d cells in %v (%.1f ms each); statuses %v", n, elapsed.Round(time.Millisecond),
		float64(elapsed.Milliseconds())/float64(n), statuses)
	first, last := marks[1], marks[len(marks)-1] // after the first tenth: warmed up
	t.Logf("from the first tenth to the end: %s", reliability.Growth(first, last))
	if last.Goroutines > marks[0].Goroutines+5 {
		t.Errorf("goroutines grew from %d to %d", marks[0].Goroutines, last.Goroutines)
	}
	// The kernel keeps each cell's code for history_request (a few MiB for
	// 10,000 cells); beyond that the heap must not grow.
	if grew := int64(last.HeapAlloc) - int64(first.HeapAlloc); grew > 48<<20 {
		t.Errorf("the heap grew by %.1f MiB after warm-up", float64(grew)/(1<<20))
	}
}

// TestHeartbeatUnderLoad pings the heartbeat of a kernel process while it
// trains, and again while it trains with as many goroutines spinning in
// the kernel process as there are CPUs (every core saturated whatever the
// machine's other load), and prints the latency percentiles. It asserts
// only that every ping is answered (within the client's generous bound):
// latency on a shared machine is a measurement, not a pass/fail.
func TestHeartbeatUnderLoad(t *testing.T) {
	pings := count(100, 3000)
	t.Logf("GOMAXPROCS %d, %d CPUs, load average %s", runtime.GOMAXPROCS(0), runtime.NumCPU(), loadAvg())
	for _, tc := range []struct {
		name string
		env  []string
	}{
		{"training", nil},
		{fmt.Sprintf("training + %d spinning goroutines", runtime.NumCPU()), []string{fmt.Sprintf("GOCINN_RELIABILITY_BURN=%d", runtime.NumCPU())}},
	} {
		ch := startChild(t, t.TempDir(), tc.env...)
		c := ch.c
		run(t, c, "%simulate two_moons --n 20000 --quiet\n%data two_moons\n%model --blocks 8 --hidden 256 --layers 3")
		if tc.env == nil {
			t.Logf("%-40s %s", "idle kernel", pingAll(t, c, min(pings, 100)))
		}
		id, err := c.SendRequest(kerneltest.Shell, "execute_request", kerneltest.ExecuteContent("%train --epochs 100000 --patience -1"))
		if err != nil {
			t.Fatal(err)
		}
		waitStarted(t, c, id)
		time.Sleep(500 * time.Millisecond)
		cpu0, wall0 := cpuTime(t, ch.cmd.Process.Pid), time.Now()
		busy := pingAll(t, c, pings)
		cores := (cpuTime(t, ch.cmd.Process.Pid) - cpu0).Seconds() / time.Since(wall0).Seconds()
		if _, _, err := c.Request(kerneltest.Control, "interrupt_request", map[string]any{}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.WaitIdle(id); err != nil {
			t.Fatal(err)
		}
		t.Logf("%-40s %s; over 100 ms: %d; the kernel process used %.2f cores", tc.name, busy, busy.Over, cores)
		ch.kill()
	}
}

// pingSummary is the round-trip percentiles of pings and how many took
// more than 100 ms.
type pingSummary struct {
	reliability.Percentiles
	Over int
}

// pingAll pings the heartbeat n times, 10 ms apart, and fails the test if
// one is not echoed.
func pingAll(t *testing.T, c *kerneltest.Client, n int) pingSummary {
	var d []time.Duration
	over := 0
	for i := 0; i < n; i++ {
		p := []byte(fmt.Sprintf("ping %d", i))
		t0 := time.Now()
		echo, err := c.Ping(p)
		if err != nil {
			t.Fatalf("ping %d not answered: %v", i, err)
		}
		if string(echo) != string(p) {
			t.Fatalf("ping %d echoed %q", i, echo)
		}
		rt := time.Since(t0)
		if rt > 100*time.Millisecond {
			over++
		}
		d = append(d, rt)
		time.Sleep(10 * time.Millisecond)
	}
	return pingSummary{reliability.Summarise(d), over}
}

// loadAvg returns the machine's load averages (Linux), or "?".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// TestMemoryRefusedUpFront asks for tables, simulations and networks
// that would exhaust memory, in a kernel process with an address-space
// limit (so that a failure cannot take the machine's memory): each is
// refused before allocating, with an error, and the kernel goes on.
func TestMemoryRefusedUpFront(t *testing.T) {
	dir := t.TempDir()
	writeHugeNPY(t, filepath.Join(dir, "huge.npy"), 100_000_000_000, 4)
	writeHugeFITS(t, filepath.Join(dir, "huge.fits"), 100_000_000_000)
	ch := startChild(t, dir, "GOCINN_RELIABILITY_AS=8000000000")
	run(t, ch.c, "%simulate two_moons --n 2000 --quiet --obs 2\n%data two_moons\n%model --blocks 2 --hidden 16 --layers 1\n%train --epochs 1")
	number := regexp.MustCompile(`[0-9]`)
	for _, tc := range []struct{ cell, want string }{
		{"%load huge.npy", "GiB"},
		{"%load huge.fits", "GiB"},
		{"%simulate two_moons --n 1000000000000", "1000000000000"},
		{"%model --blocks 8 --hidden 1000000", "parameters"},
		{"%sample --obs two_moons_obs --n 100000000000", "100000000000"},
	} {
		msg := mustFail(t, ch.c, tc.cell)
		t.Logf("%s → %s", tc.cell, msg)
		if !strings.Contains(msg, tc.want) || !number.MatchString(msg) {
			t.Errorf("%s: %q does not say how big it would be (want %q in it)", tc.cell, msg, tc.want)
		}
	}
	run(t, ch.c, "%who\n%sample --obs two_moons_obs --n 100")
}

// writeHugeNPY writes an .npy header declaring rows × cols float64, with
// almost no data.
func writeHugeNPY(t testing.TB, path string, rows, cols int) {
	dict := fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols)
	hlen := 10 + len(dict) + 1
	pad := (64 - hlen%64) % 64
	dict += strings.Repeat(" ", pad) + "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(dict)), byte(len(dict)>>8))
	b = append(b, dict...)
	b = append(b, make([]byte, 64)...)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeHugeFITS writes a FITS file whose binary table declares rows rows
// of one double column, with no data.
func writeHugeFITS(t testing.TB, path string, rows int) {
	card := func(s string) string { return fmt.Sprintf("%-80s", s) }
	block := func(cards ...string) string {
		h := strings.Join(cards, "") + card("END")
		return h + strings.Repeat(" ", (2880-len(h)%2880)%2880)
	}
	primary := block(card("SIMPLE  =                    T"), card("BITPIX  =                    8"),
		card("NAXIS   =                    0"), card("EXTEND  =                    T"))
	table := block(card("XTENSION= 'BINTABLE'"), card("BITPIX  =                    8"),
		card("NAXIS   =                    2"), card("NAXIS1  =                    8"),
		card(fmt.Sprintf("NAXIS2  = %20d", rows)), card("PCOUNT  =                    0"),
		card("GCOUNT  =                    1"), card("TFIELDS =                    1"),
		card("TTYPE1  = 'x       '"), card("TFORM1  = 'D       '"))
	if err := os.WriteFile(path, []byte(primary+table+strings.Repeat("\x00", 2880)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// cpuTime returns the user and system CPU time of process pid so far
// (Linux /proc; clock ticks of 10 ms).
func cpuTime(t testing.TB, pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the parenthesised command name: state is field 3,
	// utime 14 and stime 15.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	var ut, st int64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return time.Duration(ut+st) * 10 * time.Millisecond
}
