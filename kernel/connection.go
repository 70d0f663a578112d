package kernel

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ConnectionInfo is a parsed Jupyter connection file, as written by
// jupyter_client when it starts a kernel.
//
// With transport "tcp" a socket listens on tcp://IP:PORT; a port of 0 binds
// a free port chosen by the system (Kernel.ConnectionInfo reports it). With
// transport "ipc" a socket listens on the Unix socket file IP-PORT, which is
// how jupyter_client names ipc endpoints.
type ConnectionInfo struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	IOPubPort       int    `json:"iopub_port"`
	StdinPort       int    `json:"stdin_port"`
	ControlPort     int    `json:"control_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
	KernelName      string `json:"kernel_name,omitempty"`
}

// ReadConnectionFile reads and validates the connection file at path.
// A missing transport means "tcp"; a missing signature_scheme means
// "hmac-sha256".
func ReadConnectionFile(path string) (*ConnectionInfo, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("kernel: reading connection file: %w", err)
	}
	var c ConnectionInfo
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("kernel: connection file %s is not valid JSON of the expected shape: %w", path, err)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("kernel: connection file %s: %w", path, err)
	}
	return &c, nil
}

// validate fills defaults and checks every field.
func (c *ConnectionInfo) validate() error {
	if c.Transport == "" {
		c.Transport = "tcp"
	}
	if c.Transport != "tcp" && c.Transport != "ipc" {
		return fmt.Errorf(`field "transport" is %q; want "tcp" or "ipc"`, c.Transport)
	}
	if c.IP == "" {
		return errors.New(`field "ip" is empty; want an address such as "127.0.0.1" (tcp) or a path prefix (ipc)`)
	}
	if c.SignatureScheme == "" {
		c.SignatureScheme = "hmac-sha256"
	}
	if _, err := newSigner(c.SignatureScheme, nil); err != nil {
		return err
	}
	seen := map[int]string{}
	for _, p := range c.ports() {
		if p.port < 0 || p.port > 65535 {
			return fmt.Errorf("field %q is %d; want a port in 0..65535", p.name, p.port)
		}
		if p.port == 0 {
			if c.Transport == "ipc" {
				return fmt.Errorf("field %q is 0; ipc transport needs a distinct non-zero number per socket", p.name)
			}
			continue
		}
		if other, dup := seen[p.port]; dup {
			return fmt.Errorf("fields %q and %q both are %d; each socket needs its own port", other, p.name, p.port)
		}
		seen[p.port] = p.name
	}
	return nil
}

type namedPort struct {
	name string
	port int
}

func (c *ConnectionInfo) ports() []namedPort {
	return []namedPort{
		{"shell_port", c.ShellPort},
		{"iopub_port", c.IOPubPort},
		{"stdin_port", c.StdinPort},
		{"control_port", c.ControlPort},
		{"hb_port", c.HBPort},
	}
}

// Endpoint returns the ZeroMQ endpoint of a port, named as jupyter_client
// names it: tcp://IP:PORT or ipc://IP-PORT.
func (c *ConnectionInfo) Endpoint(port int) string {
	if c.Transport == "ipc" {
		return fmt.Sprintf("ipc://%s-%d", c.IP, port)
	}
	host := c.IP
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]" // IPv6
	}
	return fmt.Sprintf("tcp://%s:%d", host, port)
}
