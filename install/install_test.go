package install

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestDir(t *testing.T) {
	data := t.TempDir()
	venv := t.TempDir()
	prefix := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", data)
	t.Setenv("VIRTUAL_ENV", venv)
	for _, tc := range []struct {
		name string
		opts Options
		want string // "" when an error is expected
		err  string
	}{
		{"default", Options{}, filepath.Join(data, "kernels", "gocinn"), ""},
		{"user", Options{User: true}, filepath.Join(data, "kernels", "gocinn"), ""},
		{"named", Options{Name: "gocinn-dev"}, filepath.Join(data, "kernels", "gocinn-dev"), ""},
		{"lower-cased", Options{Name: "GoCINN_2.0"}, filepath.Join(data, "kernels", "gocinn_2.0"), ""},
		{"sys-prefix", Options{SysPrefix: true}, filepath.Join(venv, "share", "jupyter", "kernels", "gocinn"), ""},
		{"prefix", Options{Prefix: prefix, Name: "x"}, filepath.Join(prefix, "share", "jupyter", "kernels", "x"), ""},
		{"space in name", Options{Name: "go cinn"}, "", "invalid kernel name"},
		{"slash in name", Options{Name: "../evil"}, "", "invalid kernel name"},
		{"non-ascii name", Options{Name: "gocinné"}, "", "invalid kernel name"},
		{"user and prefix", Options{User: true, Prefix: prefix}, "", "at most one"},
		{"user and sys-prefix", Options{User: true, SysPrefix: true}, "", "at most one"},
		{"sys-prefix and prefix", Options{SysPrefix: true, Prefix: prefix}, "", "at most one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Dir(tc.opts)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Dir(%+v) = %q, %v; want an error containing %q", tc.opts, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Dir(%+v) = %q, %v; want %q", tc.opts, got, err, tc.want)
			}
		})
	}
}

func TestUserDataDir(t *testing.T) {
	home := filepath.FromSlash("/home/ada")
	for _, tc := range []struct {
		goos string
		env  map[string]string
		want string
	}{
		{"linux", nil, "/home/ada/.local/share/jupyter"},
		{"linux", map[string]string{"XDG_DATA_HOME": "/xdg"}, "/xdg/jupyter"},
		{"linux", map[string]string{"JUPYTER_DATA_DIR": "/jd", "XDG_DATA_HOME": "/xdg"}, "/jd"},
		{"freebsd", nil, "/home/ada/.local/share/jupyter"},
		{"darwin", nil, "/home/ada/Library/Jupyter"},
		{"darwin", map[string]string{"XDG_DATA_HOME": "/xdg"}, "/home/ada/Library/Jupyter"},
		{"windows", map[string]string{"APPDATA": "/appdata"}, "/appdata/jupyter"},
		{"windows", nil, "/home/ada/.jupyter/data"},
		{"windows", map[string]string{"JUPYTER_CONFIG_DIR": "/cfg"}, "/cfg/data"},
		{"linux", map[string]string{"JUPYTER_PLATFORM_DIRS": "1"}, "/home/ada/.local/share/jupyter"},
		{"linux", map[string]string{"JUPYTER_PLATFORM_DIRS": "off", "XDG_DATA_HOME": "/xdg"}, "/xdg/jupyter"},
		{"darwin", map[string]string{"JUPYTER_PLATFORM_DIRS": "yes"}, "/home/ada/Library/Application Support/jupyter"},
		{"darwin", map[string]string{"JUPYTER_PLATFORM_DIRS": "0"}, "/home/ada/Library/Jupyter"},
		{"windows", map[string]string{"JUPYTER_PLATFORM_DIRS": "true", "LOCALAPPDATA": "/local"}, "/local/jupyter"},
	} {
		getenv := func(k string) string { return filepath.FromSlash(tc.env[k]) }
		got := userDataDir(tc.goos, getenv, home)
		if want := filepath.FromSlash(tc.want); got != want {
			t.Errorf("userDataDir(%s, %v) = %q, want %q", tc.goos, tc.env, got, want)
		}
	}
}

// TestSysPrefixPython checks that without VIRTUAL_ENV the prefix comes from
// the python3 found in PATH.
func TestSysPrefixPython(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script as python3")
	}
	bin := t.TempDir()
	script := "#!/bin/sh\ncase \"$*\" in *sys.prefix*) echo /opt/pyenv ;; *) exit 3 ;; esac\n"
	if err := os.WriteFile(filepath.Join(bin, "python3"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VIRTUAL_ENV", "")
	t.Setenv("PATH", bin)
	got, err := Dir(Options{SysPrefix: true})
	if want := filepath.FromSlash("/opt/pyenv/share/jupyter/kernels/gocinn"); err != nil || got != want {
		t.Fatalf("Dir(SysPrefix) = %q, %v; want %q", got, err, want)
	}

	t.Setenv("PATH", t.TempDir()) // no python3
	if _, err := Dir(Options{SysPrefix: true}); err == nil || !strings.Contains(err.Error(), "python3") {
		t.Fatalf("Dir(SysPrefix) without python3: err = %v, want one naming python3", err)
	}
}

func TestInstall(t *testing.T) {
	data := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", filepath.Join(data, "new", "dir"))
	exe := filepath.Join(t.TempDir(), "gocinn")
	opts := Options{Executable: exe, DisplayName: "gocinn test"}
	for round := 0; round < 2; round++ { // a second install replaces the first
		dir, err := Install(opts)
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(data, "new", "dir", "kernels", "gocinn"); dir != want {
			t.Fatalf("Install returned %q, want %q", dir, want)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
			if runtime.GOOS != "windows" {
				info, err := e.Info()
				if err != nil {
					t.Fatal(err)
				}
				if info.Mode() != 0o644 {
					t.Errorf("%s has mode %v, want 0644", e.Name(), info.Mode())
				}
			}
		}
		if got, want := strings.Join(names, " "), "kernel.json logo-32x32.png logo-64x64.png logo-svg.svg"; got != want {
			t.Fatalf("round %d: kernelspec holds %q, want %q", round, got, want)
		}
		if runtime.GOOS != "windows" {
			for _, d := range []string{dir, filepath.Dir(dir), filepath.Join(data, "new")} {
				info, err := os.Stat(d)
				if err != nil {
					t.Fatal(err)
				}
				if info.Mode().Perm() != 0o755 {
					t.Errorf("%s has mode %v, want 0755", d, info.Mode().Perm())
				}
			}
		}

		raw, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
		if err != nil {
			t.Fatal(err)
		}
		var spec map[string]any
		if err := json.Unmarshal(raw, &spec); err != nil {
			t.Fatalf("kernel.json: %v\n%s", err, raw)
		}
		want := map[string]any{
			"argv":           []any{exe, "kernel", "--connection-file", "{connection_file}"},
			"display_name":   "gocinn test",
			"language":       "gocinn",
			"interrupt_mode": "message",
			"metadata":       map[string]any{"debugger": false},
		}
		gotJSON, _ := json.Marshal(spec)
		wantJSON, _ := json.Marshal(want)
		if !bytes.Equal(gotJSON, wantJSON) {
			t.Errorf("kernel.json = %s\nwant %s", gotJSON, wantJSON)
		}
		for _, f := range []struct {
			name string
			data []byte
		}{{"logo-32x32.png", LogoPNG(32)}, {"logo-64x64.png", LogoPNG(64)}, {"logo-svg.svg", LogoSVG()}} {
			got, err := os.ReadFile(filepath.Join(dir, f.name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, f.data) {
				t.Errorf("%s differs from the logo", f.name)
			}
		}
	}
}

func TestSpec(t *testing.T) {
	// A relative executable is made absolute; the default display name.
	spec, err := Spec(Options{Executable: filepath.Join("bin", "gocinn")})
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(spec.Argv[0]) || filepath.Base(spec.Argv[0]) != "gocinn" {
		t.Errorf("argv[0] = %q, want an absolute path to gocinn", spec.Argv[0])
	}
	if spec.DisplayName != DefaultDisplayName {
		t.Errorf("display name %q, want %q", spec.DisplayName, DefaultDisplayName)
	}
	// The running binary by default: here the test binary.
	spec, err = Spec(Options{})
	if err != nil {
		// A test binary of 'go test' lives in a go-build directory.
		if !strings.Contains(err.Error(), "go run") {
			t.Fatal(err)
		}
	} else if !filepath.IsAbs(spec.Argv[0]) {
		t.Errorf("argv[0] = %q, want an absolute path", spec.Argv[0])
	}
	js, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(js, []byte("encryption")) {
		t.Errorf("kernel.json declares encryption: %s", js)
	}
}

func TestUninstall(t *testing.T) {
	data := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", data)
	opts := Options{Name: "g1", Executable: "/usr/bin/gocinn"}
	dir, err := Install(opts)
	if err != nil {
		t.Fatal(err)
	}
	other, err := Install(Options{Name: "g2", Executable: "/usr/bin/gocinn"})
	if err != nil {
		t.Fatal(err)
	}
	if err := Uninstall(opts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after Uninstall, %s: %v; want it gone", dir, err)
	}
	if _, err := os.Stat(filepath.Join(other, "kernel.json")); err != nil {
		t.Errorf("Uninstall of g1 touched g2: %v", err)
	}
	if err := Uninstall(opts); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("second Uninstall: %v, want fs.ErrNotExist", err)
	}

	// Another language's kernelspec is left alone.
	py := filepath.Join(data, "kernels", "python3")
	if err := os.MkdirAll(py, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(py, "kernel.json"), []byte(`{"argv":["python3"],"language":"python"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Uninstall(Options{Name: "python3"}); err == nil || !strings.Contains(err.Error(), "not a gocinn kernelspec") {
		t.Errorf("Uninstall(python3) = %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(py, "kernel.json")); err != nil {
		t.Errorf("python3 kernelspec removed: %v", err)
	}
}
