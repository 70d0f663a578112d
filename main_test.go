package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gocinn/gocinn/magics"
)

func TestRun(t *testing.T) {
	t.Setenv("JUPYTER_DATA_DIR", t.TempDir())
	for _, tc := range []struct {
		args           []string
		code           int
		stdout, stderr string // substrings expected
	}{
		{nil, 2, "", "Usage:"},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"--help"}, 0, "The commands are:", ""},
		{[]string{"version"}, 0, "gocinn " + version + " (" + runtime.Version() + ", matrix kernels " + magics.MatrixKernels() + ")\n", ""},
		{[]string{"version", "extra"}, 2, "", "usage: gocinn version"},
		{[]string{"help"}, 0, "install", ""},
		{[]string{"help", "install"}, 0, "-sys-prefix", ""},
		{[]string{"help", "nope"}, 2, "", `unknown command "nope"`},
		{[]string{"install", "-h"}, 0, "usage: gocinn install", ""},
		{[]string{"install", "--bogus"}, 2, "", "flag provided but not defined"},
		{[]string{"install", "--user", "--prefix", "/tmp/x"}, 1, "", "at most one"},
		{[]string{"install", "--name", "no spaces"}, 1, "", "invalid kernel name"},
		{[]string{"install", "stray"}, 2, "", `unexpected argument "stray"`},
		{[]string{"uninstall", "--name", "never-installed"}, 1, "", "no kernelspec"},
		{[]string{"kernel"}, 2, "", "--connection-file is required"},
		{[]string{"kernel", "--connection-file", "/nonexistent/kernel-1.json"}, 1, "", "/nonexistent/kernel-1.json"},
		{[]string{"kernel", "--connection-file", "x.json", "--log-level", "loud"}, 2, "", "--log-level"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
			t.Errorf("gocinn %q: exit %d, stdout %q, stderr %q\nwant exit %d, stdout containing %q, stderr containing %q",
				tc.args, code, stdout.String(), stderr.String(), tc.code, tc.stdout, tc.stderr)
		}
	}
}

func TestInstallUninstall(t *testing.T) {
	data := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", data)
	exe := filepath.Join(t.TempDir(), "gocinn")
	var stdout, stderr bytes.Buffer
	args := []string{"install", "--name", "gocinn-test", "--display-name", "Test", "--executable", exe}
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("gocinn %q: exit %d: %s", args, code, stderr.String())
	}
	dir := filepath.Join(data, "kernels", "gocinn-test")
	if !strings.Contains(stdout.String(), dir) {
		t.Errorf("install printed %q, want the directory %s", stdout.String(), dir)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Argv        []string `json:"argv"`
		DisplayName string   `json:"display_name"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	if spec.Argv[0] != exe || spec.DisplayName != "Test" {
		t.Errorf("kernel.json = %s", raw)
	}

	args = []string{"uninstall", "--name", "gocinn-test"}
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("gocinn %q: exit %d: %s", args, code, stderr.String())
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("after uninstall, %s: %v", dir, err)
	}
}

// TestDocListsCommands checks that the command's doc comment lists every
// command as "gocinn help" does, so the two cannot drift apart.
func TestDocListsCommands(t *testing.T) {
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	var help bytes.Buffer
	usage(&help, commands())
	for _, c := range commands() {
		line := fmt.Sprintf("//\t%-10s %s\n", c.Name(), c.Short)
		if !bytes.Contains(src, []byte(line)) {
			t.Errorf("the doc comment of main.go lacks the line %q", line)
		}
		if !strings.Contains(help.String(), c.Name()) {
			t.Errorf("gocinn help does not list %s", c.Name())
		}
	}
}

// TestCommandNames checks that the command list is well formed: unique
// names, each with a short description and help.
func TestCommandNames(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range commands() {
		if seen[c.Name()] {
			t.Errorf("command %q listed twice", c.Name())
		}
		seen[c.Name()] = true
		if c.Short == "" || c.Long == "" || c.Run == nil {
			t.Errorf("command %q lacks Short, Long or Run", c.Name())
		}
	}
}
