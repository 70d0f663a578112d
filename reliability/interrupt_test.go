package reliability_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gocinn/gocinn/kernel"
	"github.com/gocinn/gocinn/kernel/kerneltest"
	"github.com/gocinn/gocinn/reliability"
)

// setupWorkflow makes a small session: a dataset with observations, a
// %data declaration, a trained model, posterior samples, and a table file
// big.csv for %load.
func setupWorkflow(t testing.TB, c *kerneltest.Client) {
	t.Helper()
	run(t, c, `%simulate two_moons --n 3000 --seed 1 --obs 3 --quiet
%data two_moons
%model --blocks 2 --hidden 32 --layers 1 --seed 1
%train --epochs 2 --batch 256
%sample --obs two_moons_obs --n 256
%simulate two_moons --n 200000 --seed 2 --as big --quiet
%export big big.csv
%reset big`)
}

// checkIntact fails the test unless the session still holds its data and
// a usable model: it lists them and draws posterior samples.
func checkIntact(t testing.TB, c *kerneltest.Client) {
	t.Helper()
	iopub := run(t, c, "%who")
	var text strings.Builder
	for _, m := range iopub {
		if m.Header.MsgType == "execute_result" {
			fmt.Fprint(&text, content(t, m)["data"])
		}
	}
	for _, want := range []string{"two_moons", "two_moons_obs", "cINN"} {
		if !strings.Contains(text.String(), want) {
			t.Fatalf("%%who after an interrupt does not list %s:\n%s", want, text.String())
		}
	}
	run(t, c, "%sample --obs two_moons_obs --n 64 --as check\n%reset check\n%reset check_samples")
}

// interruptible cells: each runs long enough to be interrupted at a random
// moment.
var interruptCells = []struct{ name, code string }{
	{"%train", "%train --epochs 1000 --batch 64 --patience -1"},
	{"%sample", "%sample --obs two_moons_obs --n 200000 --as sampled"},
	{"%load", "%load big.csv --as loaded"},
	{"%plot", "%plot corner --obs 0\n%plot marginals --obs 1\n%plot loss\n%plot corner --obs 2"},
}

// TestInterrupts interrupts cells of %train, %sample, %load and %plot at
// random moments and checks that the kernel goes idle, reports the
// interrupt (or the cell finished first), and the session's data and
// model stay usable. It prints the time from interrupt_request to idle.
func TestInterrupts(t *testing.T) {
	n := count(12, 100)
	s := newSession(t, kerneltest.Config{})
	c := s.c
	setupWorkflow(t, c)
	rng := rand.New(rand.NewPCG(2, 8))
	before := reliability.Measure()
	lat := map[string][]time.Duration{}
	outcomes := map[string]int{}
	for i := 0; i < n; i++ {
		cell := interruptCells[i%len(interruptCells)]
		id, err := c.SendRequest(kerneltest.Shell, "execute_request", kerneltest.ExecuteContent(cell.code))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.WaitFor(kerneltest.IOPub, func(ms []*kernel.Message) bool {
			for _, m := range kerneltest.Children(ms, id) {
				if m.Header.MsgType == "execute_input" {
					return true
				}
			}
			return false
		}); err != nil {
			t.Fatalf("%s did not start: %v", cell.name, err)
		}
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		sent := time.Now()
		if _, _, err := c.Request(kerneltest.Control, "interrupt_request", map[string]any{}); err != nil {
			t.Fatalf("interrupt %d: %v", i, err)
		}
		iopub, err := c.WaitIdle(id)
		if err != nil {
			t.Fatalf("interrupt %d of %s: the kernel did not go idle: %v", i, cell.name, err)
		}
		lat[cell.name] = append(lat[cell.name], time.Since(sent))
		reply, err := c.WaitReply(kerneltest.Shell, id)
		if err != nil {
			t.Fatal(err)
		}
		rc := content(t, reply)
		switch {
		case rc["status"] == "ok":
			outcomes[cell.name+" finished before the interrupt"]++
		case rc["ename"] == "KeyboardInterrupt":
			outcomes[cell.name+" interrupted"]++
		default:
			t.Fatalf("interrupt %d of %s: reply %v: %s", i, cell.name, rc["status"], errorText(t, iopub))
		}
		checkIntact(t, c)
	}
	after := reliability.Measure()
	for _, cell := range interruptCells {
		if d := lat[cell.name]; len(d) > 0 {
			t.Logf("%-8s interrupt_request → idle: %s", cell.name, reliability.Summarise(d))
		}
	}
	for k, v := range outcomes {
		t.Logf("  %3d  %s", v, k)
	}
	t.Logf("%d interrupts; %s", n, reliability.Growth(before, after))
}

// waitStarted waits until the cell of request id has begun (execute_input).
func waitStarted(t testing.TB, c *kerneltest.Client, id string) {
	t.Helper()
	if _, err := c.WaitFor(kerneltest.IOPub, func(ms []*kernel.Message) bool {
		for _, m := range kerneltest.Children(ms, id) {
			if m.Header.MsgType == "execute_input" {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("the cell did not start: %v", err)
	}
}

// TestShutdownWhileBusy sends shutdown_request, with and without restart,
// while %train runs: the reply echoes the restart flag, the training cell
// is cancelled and answered, and Serve returns. It prints how long that
// took.
func TestShutdownWhileBusy(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(fmt.Sprintf("restart=%v", restart), func(t *testing.T) {
			// Serve waits for the cancelled cell at most ShutdownTimeout
			// (2 s by default) and then closes the sockets without its
			// reply; on a slow machine (or with -race) %train can take
			// longer to wind up, so this test waits longer, to check that
			// the cell is cancelled and answered.
			s := newSession(t, kerneltest.Config{Options: kernel.Options{ShutdownTimeout: time.Minute}})
			c := s.c
			run(t, c, "%simulate two_moons --n 3000 --quiet\n%data two_moons\n%model --blocks 2 --hidden 32 --layers 1")
			id, err := c.SendRequest(kerneltest.Shell, "execute_request", kerneltest.ExecuteContent("%train --epochs 100000 --patience -1"))
			if err != nil {
				t.Fatal(err)
			}
			waitStarted(t, c, id)
			time.Sleep(300 * time.Millisecond)
			sent := time.Now()
			reply, _, err := c.Request(kerneltest.Control, "shutdown_request", map[string]any{"restart": restart})
			if err != nil {
				t.Fatalf("shutdown_request while busy: %v", err)
			}
			if got := content(t, reply)["restart"]; got != restart {
				t.Errorf("shutdown_reply restart = %v, want %v", got, restart)
			}
			if err := s.k.Wait(); err != nil {
				t.Fatalf("Serve after a shutdown_request while busy: %v", err)
			}
			t.Logf("shutdown_request → Serve returned: %v", time.Since(sent).Round(time.Millisecond))
			if req, re := s.k.ShutdownRequested(); !req || re != restart {
				t.Errorf("ShutdownRequested = %v, %v; want true, %v", req, re, restart)
			}
			// The training cell was cancelled and answered before the
			// sockets closed.
			if r, err := c.WaitReply(kerneltest.Shell, id); err != nil {
				t.Errorf("the running cell was not answered: %v", err)
			} else if st := content(t, r)["status"]; st != "error" {
				t.Errorf("the running cell's reply has status %v, want error (cancelled)", st)
			}
		})
	}
}

// TestClientVanishesMidCell closes a client while its cell runs, and while
// its cell waits for input; another client then uses the kernel.
func TestClientVanishesMidCell(t *testing.T) {
	s := newSession(t, kerneltest.Config{})
	setupWorkflow(t, s.c)
	s.c.Close()

	dial := func() *kerneltest.Client {
		c, err := kerneltest.Dial(s.k.Info)
		if err != nil {
			t.Fatal(err)
		}
		c.Timeout = 60 * time.Second
		if err := c.WaitReady(); err != nil {
			t.Fatal(err)
		}
		return c
	}

	// A cell that ends by itself: the next client's cell runs after it.
	a := dial()
	id, err := a.SendRequest(kerneltest.Shell, "execute_request", kerneltest.ExecuteContent("%train --epochs 3 --batch 64"))
	if err != nil {
		t.Fatal(err)
	}
	waitStarted(t, a, id)
	a.Close()
	b := dial()
	defer b.Close()
	iopub := run(t, b, "%echo after-a")
	if !strings.Contains(streams(t, iopub), "after-a") {
		t.Errorf("the cell after a vanished client printed %q", streams(t, iopub))
	}
	checkIntact(t, b)

	// A cell waiting for input (%reset asks for confirmation) whose client
	// vanished: another client interrupts it, and nothing is forgotten.
	a = dial()
	id, err = a.SendRequest(kerneltest.Shell, "execute_request", kerneltest.ExecuteContent("%reset"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.WaitFor(kerneltest.Stdin, func(ms []*kernel.Message) bool { return len(ms) > 0 }); err != nil {
		t.Fatalf("no input_request: %v", err)
	}
	a.Close()
	if _, _, err := b.Request(kerneltest.Control, "interrupt_request", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WaitIdle(id); err != nil {
		t.Fatalf("the cell waiting for input of a vanished client did not end on interrupt: %v", err)
	}
	checkIntact(t, b)
}
