package install_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gocinn/gocinn/install"
)

func ExampleInstall() {
	prefix, err := os.MkdirTemp("", "gocinn-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(prefix)

	dir, err := install.Install(install.Options{Prefix: prefix, Executable: "/usr/local/bin/gocinn"})
	if err != nil {
		log.Fatal(err)
	}
	rel, _ := filepath.Rel(prefix, dir)
	fmt.Println(filepath.ToSlash(rel))
	spec, _ := os.ReadFile(filepath.Join(dir, "kernel.json"))
	fmt.Print(string(spec))
	// Output:
	// share/jupyter/kernels/gocinn
	// {
	//   "argv": [
	//     "/usr/local/bin/gocinn",
	//     "kernel",
	//     "--connection-file",
	//     "{connection_file}"
	//   ],
	//   "display_name": "gocinn (cINN)",
	//   "language": "gocinn",
	//   "interrupt_mode": "message",
	//   "metadata": {
	//     "debugger": false
	//   }
	// }
}
