// Package atomicfile creates the temporary files that atomic saves write
// before renaming them over their target, and removes those that a killed
// process left behind.
//
// A temporary file is named .BASE.tmp-PID-RANDOM in the target's folder.
// Before it makes a new one, Create removes the temporary files of the same
// target whose writing process no longer exists (on Unix; elsewhere none
// are removed), so a session killed in the middle of saves does not fill
// its folder with copies.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Create makes a new temporary file in dir for the target base name, after
// removing stale ones of that target.
func Create(dir, base string) (*os.File, error) {
	prefix := "." + base + ".tmp-"
	RemoveStale(dir, base)
	return os.CreateTemp(dir, fmt.Sprintf("%s%d-*", prefix, os.Getpid()))
}

// RemoveStale removes the temporary files of target base in dir whose
// writing process is gone. It reports how many it removed.
func RemoveStale(dir, base string) int {
	prefix := "." + base + ".tmp-"
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || !e.Type().IsRegular() {
			continue
		}
		pidText, _, ok := strings.Cut(name[len(prefix):], "-")
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || pid == os.Getpid() || alive(pid) {
			continue
		}
		if os.Remove(filepath.Join(dir, name)) == nil {
			n++
		}
	}
	return n
}
