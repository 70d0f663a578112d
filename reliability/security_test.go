package reliability_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gocinn/gocinn/install"
	"github.com/gocinn/gocinn/kernel/kerneltest"
)

// listeners returns the local addresses of the TCP sockets listening on
// port, from /proc/net/tcp and /proc/net/tcp6 (hex, as the kernel shows
// them).
func listeners(t *testing.T, port int) []string {
	var out []string
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Skipf("no %s: %v", f, err)
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fs := strings.Fields(line)
			if len(fs) < 4 || fs[3] != "0A" { // 0A: LISTEN
				continue
			}
			addr, p, ok := strings.Cut(fs[1], ":")
			if !ok {
				continue
			}
			if n, err := strconv.ParseUint(p, 16, 16); err == nil && int(n) == port {
				out = append(out, addr)
			}
		}
	}
	return out
}

// TestBindsOnlyLoopback starts a kernel on 127.0.0.1 and checks that each
// of its five ports listens on 127.0.0.1 alone: not on every address, not
// on IPv6, and another loopback address (127.0.0.2) is refused.
func TestBindsOnlyLoopback(t *testing.T) {
	s := newSession(t, kerneltest.Config{})
	info := s.k.Info
	for name, port := range map[string]int{"shell": info.ShellPort, "iopub": info.IOPubPort, "stdin": info.StdinPort,
		"control": info.ControlPort, "hb": info.HBPort} {
		got := listeners(t, port)
		if len(got) != 1 || got[0] != "0100007F" { // 127.0.0.1, little-endian hex
			t.Errorf("%s port %d listens on %v, want only 0100007F (127.0.0.1)", name, port, got)
		}
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.2:%d", port), time.Second); err == nil {
			c.Close()
			t.Errorf("%s port %d accepts connections on 127.0.0.2", name, port)
		}
	}
}

// TestIPCSocketsPrivate checks that the ipc socket files of a kernel
// grant no write (connect) permission to other users. (The kernel takes
// the process umask, 022 by default; the HMAC key guards them anyway.)
func TestIPCSocketsPrivate(t *testing.T) {
	s := newSession(t, kerneltest.Config{Transport: "ipc"})
	for i := 1; i <= 5; i++ {
		p := fmt.Sprintf("%s-%d", s.k.Info.IP, i)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %v", filepath.Base(p), fi.Mode())
		if fi.Mode().Perm()&0o002 != 0 {
			t.Errorf("%s is writable (connectable) by every user: %v", p, fi.Mode())
		}
	}
}

// TestNoKeyInFiles runs a session that saves a model and exports tables,
// then checks that no file it wrote holds the connection key, that the
// connection file is left as it was, and that the files it writes are
// not writable by others.
func TestNoKeyInFiles(t *testing.T) {
	dir := t.TempDir()
	ch := startChild(t, dir)
	connFile := filepath.Join(filepath.Dir(ch.info.IP), "kernel.json")
	before, err := os.Stat(connFile)
	if err != nil {
		t.Fatal(err)
	}
	run(t, ch.c, `%simulate two_moons --n 500 --quiet --obs 1
%data two_moons
%model --blocks 1 --hidden 8 --layers 1
%train --epochs 1
%save m.cinn
%sample --obs two_moons_obs --n 50
%export posterior_samples s.npz
%export posterior s.csv
%plot loss`)
	ch.kill()
	after, err := os.Stat(connFile)
	if err != nil {
		t.Fatal(err)
	}
	if after.Mode() != before.Mode() || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("the kernel changed its connection file: mode %v → %v", before.Mode(), after.Mode())
	}
	key := []byte(ch.info.Key)
	for _, root := range []string{dir, filepath.Dir(ch.info.IP)} {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || p == connFile {
				return err
			}
			fi, _ := d.Info()
			if fi.Mode().Type() != 0 {
				return nil // sockets
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if bytes.Contains(b, key) {
				t.Errorf("%s holds the connection key", p)
			}
			if fi.Mode().Perm()&0o022 != 0 {
				t.Errorf("%s is writable by others: %v", p, fi.Mode())
			}
			t.Logf("%-8s %v", filepath.Base(p), fi.Mode())
			return nil
		})
	}
}

// TestKernelSpecClaimsNoEncryption checks kernel.json as install writes
// it: the kernel is started with a connection file, interrupts by message,
// and claims nothing about encryption (ZeroMQ traffic is signed, not
// encrypted).
func TestKernelSpecClaimsNoEncryption(t *testing.T) {
	spec, err := install.Spec(install.Options{Executable: "/usr/local/bin/gocinn"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	lower := strings.ToLower(string(b))
	for _, w := range []string{"encrypt", "curve", "tls", "ssl", "secure"} {
		if strings.Contains(lower, w) {
			t.Errorf("kernel.json mentions %q: %s", w, b)
		}
	}
	if spec.InterruptMode != "message" {
		t.Errorf("interrupt_mode %q, want message", spec.InterruptMode)
	}
	if !strings.Contains(string(b), "{connection_file}") {
		t.Errorf("kernel.json does not pass the connection file: %s", b)
	}
}

// listing returns the names, sizes and modification times in dir.
func listing(t testing.TB, dir string) string {
	var b strings.Builder
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		fi, _ := e.Info()
		fmt.Fprintf(&b, "%s %d %v\n", e.Name(), fi.Size(), fi.ModTime().UnixNano())
	}
	return b.String()
}

// TestPathsAreOnlyPaths runs cells whose arguments hold shell and glob
// syntax, in a kernel process whose PATH holds only traps (sh, bash,
// touch, ... that record being run): a %load of a path reads exactly that
// file, nothing is expanded, no program is started, and nothing but the
// named outputs is written.
func TestPathsAreOnlyPaths(t *testing.T) {
	dir := t.TempDir()
	trap := t.TempDir()
	marker := filepath.Join(t.TempDir(), "ran")
	for _, prog := range []string{"sh", "bash", "dash", "zsh", "touch", "rm", "python3", "python", "env", "cat", "ls"} {
		script := fmt.Sprintf("#!/bin/sh\necho %s \"$@\" >> %s\n", prog, marker)
		if err := os.WriteFile(filepath.Join(trap, prog), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The traps work: running one leaves the marker.
	if out, err := exec.Command(filepath.Join(trap, "sh"), "-c", "selfcheck").CombinedOutput(); err != nil {
		t.Fatalf("trap: %v %s", err, out)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("the trap left no marker: %v", err)
	}
	os.Remove(marker)
	csv := "a,b\n1,2\n3,4\n"
	literal := []string{"$(touch pwned).csv", "`touch pwned`.csv", "a;touch pwned.csv", "*.csv", "$HOME.csv", "a b.csv", "[ab].csv"}
	for _, name := range literal {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "b.csv"), []byte("x\n9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ch := startChild(t, dir, "PATH="+trap, "SHELL="+filepath.Join(trap, "sh"))
	c := ch.c
	before := listing(t, dir)
	// Each file with shell or glob syntax in its name is read as itself.
	for i, name := range literal {
		q := "'" + name + "'"
		run(t, c, fmt.Sprintf("%%load %s --as l%d\n%%show l%d", q, i, i))
	}
	if after := listing(t, dir); after != before {
		t.Errorf("%%load changed the folder:\nbefore\n%s\nafter\n%s", before, after)
	}
	// Nothing expands: globs, variables, ~user, command substitution.
	for _, cell := range []string{
		"%load ?.csv", "%load b*.csv", "%load $PWD/b.csv", "%load ~root/b.csv", "%load $(echo b).csv",
		"%load {b,c}.csv", "%load \"$(touch pwned)\"",
	} {
		// Not found, or (where a space splits the word) an extra argument.
		msg := mustFail(t, c, cell)
		if !strings.Contains(msg, "no such file") && !strings.Contains(msg, "unexpected argument") {
			t.Errorf("%s: %s, want a file-not-found error", cell, msg)
		}
	}
	// Shell syntax anywhere in a cell reaches no shell.
	for _, cell := range []string{
		"%echo $(touch pwned) `touch pwned` ; touch pwned && touch pwned | touch pwned",
		"%simulate two_moons --n 100 --quiet --as '$(touch pwned)'",
		"%simulate two_moons --n 100 --quiet --as ok\n%export ok '$(touch pwned).csv'",
		"%export ok \"x;touch pwned.npz\"",
		"%derive ok 'y=$(touch pwned)'",
		"%plot loss --title '$(touch pwned)'",
		"%save '|touch pwned'",
		"%open '$(touch pwned)'",
		"%help '$(touch pwned)'",
		"%simulate parsec_gaia --n 10 --data-dir '$(touch pwned)'",
	} {
		_, _, err := c.Execute(cell)
		if err != nil {
			t.Fatalf("%s: %v", cell, err)
		}
	}
	ch.kill()
	if b, err := os.ReadFile(marker); err == nil {
		t.Errorf("programs were run from cells:\n%s", b)
	} else if !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	var made []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), "pwned") && !strings.Contains(before, d.Name()+" ") {
			made = append(made, d.Name())
		}
		return nil
	})
	sort.Strings(made)
	// The only new files are the literal names the cells asked for.
	for _, m := range made {
		if m != "$(touch pwned).csv" && m != "x;touch pwned.npz" {
			t.Errorf("unexpected file %q", m)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Error("a cell created the file pwned")
	}
}

// TestNoShellInSources parses the non-test Go files of the packages that
// handle cells and messages: none imports os/exec, plugin or syscall's
// exec functions, so nothing of a cell can reach a shell.
func TestNoShellInSources(t *testing.T) {
	root := filepath.Join("..")
	fset := token.NewFileSet()
	checked := 0
	for _, pkg := range []string{"kernel", "magics", "cinn"} {
		err := filepath.WalkDir(filepath.Join(root, pkg), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || strings.HasSuffix(p, filepath.Join("sgemm", "internal", "asmgen"))) {
				return filepath.SkipDir // asmgen is a go:generate tool, not in the kernel
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			checked++
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if path == "os/exec" || path == "plugin" {
					t.Errorf("%s imports %s", p, path)
				}
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, call := range []string{"syscall.Exec", "syscall.ForkExec", "StartProcess"} {
				if bytes.Contains(src, []byte(call)) {
					t.Errorf("%s calls %s", p, call)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 20 {
		t.Fatalf("checked only %d files; is the test run from reliability/?", checked)
	}
	t.Logf("%d source files import no os/exec, plugin or process-starting calls", checked)
}
