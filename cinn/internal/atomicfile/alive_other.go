//go:build !unix

package atomicfile

// alive cannot tell on this system, so no temporary file is taken for stale.
func alive(pid int) bool { return true }
