// Package shareddata finds the folder of real astronomical tables that the
// project's tests share: $GOCINN_DATA if set, else shared/data beside the
// repository's root (the folder holding go.mod).
package shareddata

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared data folder. Tests that use it are named
// TestSharedData…; when the folder is absent they fail with a message that
// says where it should be (what names the tables the test reads).
func Dir(t testing.TB, what string) string {
	t.Helper()
	dir, err := find()
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "README.md"))
	}
	if err != nil {
		t.Fatalf("the shared real data folder is absent (%v): TestSharedData… tests read %s "+
			"in ../shared/data beside the repository (see its README.md); set GOCINN_DATA to its path, "+
			"or skip these tests with -skip TestSharedData", err, what)
	}
	return dir
}

func find() (string, error) {
	if dir := os.Getenv("GOCINN_DATA"); dir != "" {
		return dir, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "data"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
