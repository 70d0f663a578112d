package reliability_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gocinn/gocinn/kernel"
	"github.com/gocinn/gocinn/kernel/kerneltest"
	"github.com/gocinn/gocinn/reliability"
)

// The test binary doubles as a kernel process, so that tests can kill -9
// a kernel without building the gocinn binary: with
// GOCINN_RELIABILITY_CHILD set to a connection file it serves a magics
// kernel on it, in the directory GOCINN_RELIABILITY_DIR, with the file
// size limit GOCINN_RELIABILITY_FSIZE and the address-space limit
// GOCINN_RELIABILITY_AS (bytes) if set, and GOCINN_RELIABILITY_BURN
// goroutines spinning on the CPU if set, until it is killed
// or shut down.
func TestMain(m *testing.M) {
	if conn := os.Getenv("GOCINN_RELIABILITY_CHILD"); conn != "" {
		os.Exit(childKernel(conn))
	}
	os.Exit(m.Run())
}

func childKernel(connFile string) int {
	if s := os.Getenv("GOCINN_RELIABILITY_FSIZE"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "child: GOCINN_RELIABILITY_FSIZE:", err)
			return 2
		}
		// Writes past the limit fail with EFBIG (Go ignores SIGXFSZ), as
		// a full disk makes them fail with ENOSPC.
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
			fmt.Fprintln(os.Stderr, "child: setrlimit:", err)
			return 2
		}
	}
	if s := os.Getenv("GOCINN_RELIABILITY_AS"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "child: GOCINN_RELIABILITY_AS:", err)
			return 2
		}
		// An address-space limit, so that an allocation that would
		// exhaust memory fails in this process rather than the machine.
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
			fmt.Fprintln(os.Stderr, "child: setrlimit:", err)
			return 2
		}
	}
	if s := os.Getenv("GOCINN_RELIABILITY_BURN"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			fmt.Fprintln(os.Stderr, "child: GOCINN_RELIABILITY_BURN:", err)
			return 2
		}
		// Goroutines that keep every core of the process busy, as a
		// training run that saturates the machine does; they end with the
		// process.
		for i := 0; i < n; i++ {
			go func() {
				x := uint64(i) + 1
				for {
					x ^= x << 13
					x ^= x >> 7
					x ^= x << 17
					burnSink.Store(x)
				}
			}()
		}
	}
	conn, err := kernel.ReadConnectionFile(connFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	k, err := kernel.New(conn, reliability.NewExecutor(os.Getenv("GOCINN_RELIABILITY_DIR")), kernel.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := k.Serve(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

var burnSink atomic.Uint64

// child is a kernel process started from the test binary.
type child struct {
	cmd  *exec.Cmd
	c    *kerneltest.Client
	info kernel.ConnectionInfo
}

// startChild starts a kernel process working in dir (ipc transport, so
// that no port can be taken by another test) and connects a client.
func startChild(t testing.TB, dir string, env ...string) *child {
	t.Helper()
	key := make([]byte, 16)
	_, _ = rand.Read(key)
	sockDir, err := os.MkdirTemp("", "gocinn-rel-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	info := kernel.ConnectionInfo{Transport: "ipc", IP: filepath.Join(sockDir, "k"), ShellPort: 1, IOPubPort: 2,
		StdinPort: 3, ControlPort: 4, HBPort: 5, Key: hex.EncodeToString(key), SignatureScheme: "hmac-sha256"}
	b, _ := json.Marshal(info)
	connFile := filepath.Join(sockDir, "kernel.json")
	if err := os.WriteFile(connFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GOCINN_RELIABILITY_CHILD="+connFile, "GOCINN_RELIABILITY_DIR="+dir)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ch := &child{cmd: cmd, info: info}
	t.Cleanup(func() { ch.kill() })
	// The sockets exist once the child has bound them.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(info.IP + "-5"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the kernel process did not bind its sockets")
		}
		time.Sleep(5 * time.Millisecond)
	}
	c, err := kerneltest.Dial(info)
	if err != nil {
		t.Fatal(err)
	}
	c.Timeout = 60 * time.Second
	t.Cleanup(func() { c.Close() })
	if err := c.WaitReady(); err != nil {
		t.Fatal(err)
	}
	ch.c = c
	return ch
}

// kill kills the process with SIGKILL and reaps it.
func (ch *child) kill() {
	if ch.cmd.ProcessState != nil {
		return
	}
	_ = ch.cmd.Process.Kill()
	_ = ch.cmd.Wait()
	if ch.c != nil {
		ch.c.Close()
	}
}
