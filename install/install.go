package install

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
)

// Defaults used when Options leaves a field empty.
const (
	DefaultName        = "gocinn"
	DefaultDisplayName = "gocinn (cINN)"
	// Language is the kernelspec's language, the one frontends and
	// jupyter_kernel_test match on.
	Language = "gocinn"
)

// Options says where the kernelspec goes and what it says. The zero value
// installs the kernel named "gocinn" for the current user, pointing at the
// running binary.
type Options struct {
	// At most one of User, SysPrefix and Prefix may be set; with none of
	// them the user data directory is used, as with User.
	User      bool   // the user's Jupyter data directory
	SysPrefix bool   // the share/jupyter directory of the active Python environment
	Prefix    string // PREFIX/share/jupyter

	Name        string // kernel name; DefaultName if empty
	DisplayName string // name shown in frontends; DefaultDisplayName if empty

	// Executable is the gocinn binary that kernel.json starts. If empty, the
	// running binary (os.Executable) is used. A relative path is made
	// absolute.
	Executable string
}

// KernelSpec is the content of kernel.json.
type KernelSpec struct {
	Argv          []string       `json:"argv"`
	DisplayName   string         `json:"display_name"`
	Language      string         `json:"language"`
	InterruptMode string         `json:"interrupt_mode"`
	Metadata      map[string]any `json:"metadata"`
}

var validName = regexp.MustCompile(`^[a-z0-9._-]+$`)

// name returns the lower-cased kernel name of o, or an error if it is not a
// valid kernelspec name.
func (o Options) name() (string, error) {
	name := strings.ToLower(o.Name)
	if name == "" {
		name = DefaultName
	}
	if !validName.MatchString(name) {
		return "", fmt.Errorf("install: invalid kernel name %q: use only ASCII letters, digits, '.', '_' and '-'", o.Name)
	}
	return name, nil
}

// DataDir returns the Jupyter data directory that o selects (the directory
// holding "kernels"). SysPrefix may run python3 to ask for sys.prefix.
func DataDir(o Options) (string, error) {
	n := 0
	for _, set := range []bool{o.User, o.SysPrefix, o.Prefix != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return "", errors.New("install: choose at most one of --user, --sys-prefix and --prefix")
	}
	switch {
	case o.Prefix != "":
		p, err := filepath.Abs(o.Prefix)
		if err != nil {
			return "", fmt.Errorf("install: prefix %q: %w", o.Prefix, err)
		}
		return filepath.Join(p, "share", "jupyter"), nil
	case o.SysPrefix:
		p, err := sysPrefix()
		if err != nil {
			return "", err
		}
		return filepath.Join(p, "share", "jupyter"), nil
	default:
		home, err := homeDir()
		if err != nil {
			return "", err
		}
		return userDataDir(runtime.GOOS, os.Getenv, home), nil
	}
}

// Dir returns the kernelspec directory that o selects: DataDir(o)/kernels/NAME.
func Dir(o Options) (string, error) {
	name, err := o.name()
	if err != nil {
		return "", err
	}
	data, err := DataDir(o)
	if err != nil {
		return "", err
	}
	return filepath.Join(data, "kernels", name), nil
}

// Spec returns the kernel.json content that Install writes for o.
func Spec(o Options) (KernelSpec, error) {
	exe, err := executable(o.Executable)
	if err != nil {
		return KernelSpec{}, err
	}
	display := o.DisplayName
	if display == "" {
		display = DefaultDisplayName
	}
	return KernelSpec{
		Argv:          []string{exe, "kernel", "--connection-file", "{connection_file}"},
		DisplayName:   display,
		Language:      Language,
		InterruptMode: "message",
		Metadata:      map[string]any{"debugger": false},
	}, nil
}

// Install writes the kernelspec that o selects, replacing the files of an
// earlier install, and returns its directory.
func Install(o Options) (dir string, err error) {
	dir, err = Dir(o)
	if err != nil {
		return "", err
	}
	spec, err := Spec(o)
	if err != nil {
		return "", err
	}
	js, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	files := []struct {
		name string
		data []byte
	}{
		{"logo-32x32.png", LogoPNG(32)},
		{"logo-64x64.png", LogoPNG(64)},
		{"logo-svg.svg", LogoSVG()},
		// kernel.json last: a directory without it is not a kernelspec,
		// so frontends never see a spec whose logos are missing.
		{"kernel.json", append(js, '\n')},
	}
	if err := mkdirAll(dir); err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(dir, f.name), f.data); err != nil {
			return "", fmt.Errorf("install: %w", err)
		}
	}
	return dir, nil
}

// Uninstall removes the kernelspec directory that o selects. It fails with
// an error wrapping fs.ErrNotExist if there is none, and refuses to remove a
// kernelspec that is not gocinn's.
func Uninstall(o Options) error {
	dir, err := Dir(o)
	if err != nil {
		return err
	}
	js, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("install: no kernelspec in %s: %w", dir, fs.ErrNotExist)
	}
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	var spec KernelSpec
	if err := json.Unmarshal(js, &spec); err != nil || spec.Language != Language {
		return fmt.Errorf("install: %s is not a gocinn kernelspec (its kernel.json does not say language %q); remove it with 'jupyter kernelspec remove' if you mean to", dir, Language)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("install: %w", err)
	}
	return nil
}

// executable returns the absolute path of the binary kernel.json starts.
func executable(exe string) (string, error) {
	if exe == "" {
		var err error
		exe, err = os.Executable()
		if err != nil {
			return "", fmt.Errorf("install: cannot find the gocinn binary (%w); pass its path", err)
		}
		if p, err := filepath.EvalSymlinks(exe); err == nil {
			exe = p
		}
		// A binary run by 'go run' is deleted when it exits.
		if strings.Contains(filepath.ToSlash(exe), "/go-build") {
			return "", fmt.Errorf("install: %s is a temporary binary of 'go run'; build gocinn first (go build -o bin/gocinn . && bin/gocinn install)", exe)
		}
	}
	abs, err := filepath.Abs(exe)
	if err != nil {
		return "", fmt.Errorf("install: executable %q: %w", exe, err)
	}
	return abs, nil
}

// homeDir returns the real path of the user's home directory, as
// jupyter_core's get_home_dir does.
func homeDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("install: %w; set JUPYTER_DATA_DIR or use --prefix", err)
	}
	if p, err := filepath.EvalSymlinks(home); err == nil {
		home = p
	}
	return home, nil
}

// userDataDir mirrors jupyter_core.paths.jupyter_data_dir for the operating
// system goos.
func userDataDir(goos string, getenv func(string) string, home string) string {
	if d := getenv("JUPYTER_DATA_DIR"); d != "" {
		return d
	}
	if envSet(getenv("JUPYTER_PLATFORM_DIRS")) {
		// platformdirs.user_data_dir("jupyter", appauthor=False)
		switch goos {
		case "darwin":
			return filepath.Join(home, "Library", "Application Support", "jupyter")
		case "windows":
			if d := getenv("LOCALAPPDATA"); d != "" {
				return filepath.Join(d, "jupyter")
			}
			return filepath.Join(home, "AppData", "Local", "jupyter")
		}
		return filepath.Join(xdgDataHome(getenv, home), "jupyter")
	}
	switch goos {
	case "darwin", "ios":
		return filepath.Join(home, "Library", "Jupyter")
	case "windows":
		if d := getenv("APPDATA"); d != "" {
			return filepath.Join(d, "jupyter")
		}
		// jupyter_config_dir()/data
		if d := getenv("JUPYTER_CONFIG_DIR"); d != "" {
			return filepath.Join(d, "data")
		}
		return filepath.Join(home, ".jupyter", "data")
	}
	return filepath.Join(xdgDataHome(getenv, home), "jupyter")
}

func xdgDataHome(getenv func(string) string, home string) string {
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return d
	}
	return filepath.Join(home, ".local", "share")
}

// envSet reports whether an environment value counts as set for
// jupyter_core's envset: defined and not a word for false.
func envSet(v string) bool {
	switch strings.ToLower(v) {
	case "", "no", "n", "false", "off", "0", "0.0":
		return false
	}
	return true
}

// sysPrefix returns the prefix of the active Python environment:
// $VIRTUAL_ENV if set, else sys.prefix of python3 in PATH.
func sysPrefix() (string, error) {
	if v := os.Getenv("VIRTUAL_ENV"); v != "" {
		return v, nil
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		return "", errors.New("install: --sys-prefix needs python3 in PATH (or VIRTUAL_ENV set) to find sys.prefix; activate the environment or use --prefix")
	}
	var stderr bytes.Buffer
	cmd := exec.Command(py, "-c", "import sys; print(sys.prefix)")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("install: asking %s for sys.prefix: %v: %s", py, err, strings.TrimSpace(stderr.String()))
	}
	p := strings.TrimSpace(string(out))
	if p == "" {
		return "", fmt.Errorf("install: %s printed an empty sys.prefix; use --prefix", py)
	}
	return p, nil
}

// mkdirAll creates dir and its missing parents with mode 0755 whatever the
// umask, leaving existing directories alone.
func mkdirAll(dir string) error {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || d == filepath.Dir(d) {
			break
		}
		missing = append(missing, d)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, d := range missing {
		if err := os.Chmod(d, 0o755); err != nil {
			return err
		}
	}
	return nil
}

// writeFileAtomic writes data to path with mode 0644 through a temporary
// file in the same directory renamed into place.
func writeFileAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if runtime.GOOS != "windows" {
		if err = f.Chmod(0o644); err != nil {
			return err
		}
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
