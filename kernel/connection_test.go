package kernel_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gocinn/gocinn/kernel"
)

func TestReadConnectionFile(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    kernel.ConnectionInfo
		wantErr string // substring of the error; "" means success
	}{
		{
			name: "jupyter_client tcp",
			json: `{"shell_port": 53794, "iopub_port": 53795, "stdin_port": 53796, "control_port": 53797,
				"hb_port": 53798, "ip": "127.0.0.1", "key": "a0436f6c-1916498877f7b9a9", "transport": "tcp",
				"signature_scheme": "hmac-sha256", "kernel_name": "gocinn"}`,
			want: kernel.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: 53794, IOPubPort: 53795,
				StdinPort: 53796, ControlPort: 53797, HBPort: 53798, Key: "a0436f6c-1916498877f7b9a9",
				SignatureScheme: "hmac-sha256", KernelName: "gocinn"},
		},
		{
			name: "defaults",
			json: `{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "ip": "127.0.0.1", "key": ""}`,
			want: kernel.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: 1, IOPubPort: 2,
				StdinPort: 3, ControlPort: 4, HBPort: 5, SignatureScheme: "hmac-sha256"},
		},
		{
			name: "ipc",
			json: `{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "ip": "/tmp/kernel-x", "transport": "ipc", "signature_scheme": "hmac-sha512", "key": "k"}`,
			want: kernel.ConnectionInfo{Transport: "ipc", IP: "/tmp/kernel-x", ShellPort: 1, IOPubPort: 2,
				StdinPort: 3, ControlPort: 4, HBPort: 5, Key: "k", SignatureScheme: "hmac-sha512"},
		},
		{name: "not JSON", json: `{"shell_port": 1,`, wantErr: "not valid JSON"},
		{name: "port as string", json: `{"shell_port": "1", "ip": "127.0.0.1"}`, wantErr: "not valid JSON"},
		{name: "bad transport", json: `{"transport": "udp", "ip": "127.0.0.1"}`, wantErr: `"transport" is "udp"`},
		{name: "no ip", json: `{"transport": "tcp"}`, wantErr: `"ip" is empty`},
		{name: "bad scheme", json: `{"ip": "127.0.0.1", "signature_scheme": "rot13"}`, wantErr: `unsupported signature_scheme "rot13"`},
		{name: "port out of range", json: `{"ip": "127.0.0.1", "hb_port": 70000}`, wantErr: `"hb_port" is 70000`},
		{name: "duplicate ports", json: `{"ip": "127.0.0.1", "shell_port": 9000, "control_port": 9000}`, wantErr: `both are 9000`},
		{name: "ipc port 0", json: `{"ip": "/tmp/k", "transport": "ipc", "shell_port": 1}`, wantErr: `ipc transport needs`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kernel-1.json")
			if err := os.WriteFile(path, []byte(tt.json), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := kernel.ReadConnectionFile(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("error %v, want one naming the file and containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *got != tt.want {
				t.Errorf("got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
	if _, err := kernel.ReadConnectionFile(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("no error for a missing file")
	}
}

func TestEndpoint(t *testing.T) {
	for _, tt := range []struct {
		c    kernel.ConnectionInfo
		want string
	}{
		{kernel.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1"}, "tcp://127.0.0.1:5555"},
		{kernel.ConnectionInfo{Transport: "tcp", IP: "::1"}, "tcp://[::1]:5555"},
		{kernel.ConnectionInfo{Transport: "ipc", IP: "/run/kernel-abc"}, "ipc:///run/kernel-abc-5555"},
	} {
		if got := tt.c.Endpoint(5555); got != tt.want {
			t.Errorf("Endpoint = %q, want %q", got, tt.want)
		}
	}
}

func TestNewErrors(t *testing.T) {
	// A port already taken gives an error naming the socket.
	k, err := kernel.New(&kernel.ConnectionInfo{IP: "127.0.0.1"}, funcExecutor(nil), kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	taken := k.ConnectionInfo()
	taken.IOPubPort, taken.StdinPort, taken.ControlPort, taken.HBPort = 0, 0, 0, 0
	if k2, err := kernel.New(&taken, funcExecutor(nil), kernel.Options{}); err == nil {
		k2.Close()
		t.Error("no error binding a port in use")
	} else if !strings.Contains(err.Error(), "shell") {
		t.Errorf("error %v does not name the shell socket", err)
	}
	if _, err := kernel.New(&kernel.ConnectionInfo{IP: "127.0.0.1", SignatureScheme: "hmac-none"}, funcExecutor(nil), kernel.Options{}); err == nil {
		t.Error("no error for an unknown signature scheme")
	}
}
