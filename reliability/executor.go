package reliability

import (
	"github.com/gocinn/gocinn/internal/bridge"
	"github.com/gocinn/gocinn/magics"
)

// Executor is the adapter the gocinn binary runs cells with
// (internal/bridge), which counts the cells it was asked to run, so that a
// test can tell whether a hostile message got a cell executed.
type Executor = bridge.Executor

// NewExecutor returns an Executor of a new magics session whose relative
// paths resolve against dir.
func NewExecutor(dir string) *Executor {
	return bridge.New(magics.Options{Dir: dir})
}
