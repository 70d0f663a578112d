package atomicfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	// A process that has exited: its id is free (ids are not reused this fast).
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no 'true' command:", err)
	}
	dead := cmd.Process.Pid
	files := map[string]bool{ // name → should survive
		".m.cinn.tmp-" + strconv.Itoa(dead) + "-123":        false,
		".m.cinn.tmp-" + strconv.Itoa(os.Getpid()) + "-456": true, // ours
		".m.cinn.tmp-1-789":                                 true, // init is alive
		".other.cinn.tmp-" + strconv.Itoa(dead) + "-1":      true, // another target
		".m.cinn.tmp-old":                                   true, // not our naming
		"m.cinn":                                            true,
	}
	for name := range files {
		os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644)
	}
	f, err := Create(dir, "m.cinn")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	for name, keep := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if keep != (err == nil) {
			t.Errorf("%s: kept %v, want %v", name, err == nil, keep)
		}
	}
	if _, err := os.Stat(f.Name()); err != nil {
		t.Errorf("new temporary file missing: %v", err)
	}
}
