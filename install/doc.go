// Package install writes and removes gocinn's Jupyter kernelspec: the
// directory that tells Jupyter frontends how to start the kernel.
//
// A kernelspec is a directory named after the kernel (by default "gocinn")
// inside a "kernels" directory that Jupyter searches. It holds
//
//	kernel.json      how to start the kernel: the absolute path of the gocinn
//	                 binary, "kernel", "--connection-file", "{connection_file}";
//	                 the display name; the language; interrupt_mode "message"
//	logo-32x32.png   the logo, drawn by this package
//	logo-64x64.png
//	logo-svg.svg
//
// The spec never declares supported_encryption: the kernel's ZeroMQ
// implementation has no CURVE security.
//
// # Where the kernelspec goes
//
// Options chooses the data directory exactly as jupyter_client does, and the
// kernelspec lands in DATA/kernels/NAME:
//
//	(no flag), User  the user data directory: $JUPYTER_DATA_DIR if set, else
//	                 $XDG_DATA_HOME/jupyter or ~/.local/share/jupyter on Linux,
//	                 ~/Library/Jupyter on macOS, %APPDATA%\jupyter on Windows
//	                 (platformdirs' locations when $JUPYTER_PLATFORM_DIRS is set)
//	SysPrefix        $VIRTUAL_ENV/share/jupyter, or else sys.prefix of the
//	                 python3 found in PATH, plus share/jupyter
//	Prefix DIR       DIR/share/jupyter
//
// Kernel names are lower-cased, as jupyter_client does, and may hold only
// ASCII letters, digits, '.', '_' and '-'.
//
// Files are written atomically (a temporary file renamed into place) with mode
// 0644 in directories of mode 0755, so a frontend listing kernelspecs never
// reads half a kernel.json. Installing again replaces the files; Uninstall
// removes the directory only if its kernel.json says language "gocinn", so a
// mistyped --name cannot remove another kernel.
package install
