"""The gocinn command line and its kernelspec, as Jupyter sees them."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import xml.etree.ElementTree as ET

from conftest import KERNEL_NAME, venv_bin


def run(args, env=None, timeout=60):
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)


def kernelspecs(env=None) -> dict:
    out = run([venv_bin("jupyter"), "kernelspec", "list", "--json"], env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["kernelspecs"]


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_kernelspec_list_shows_gocinn_beside_python3(gocinn):
    specs = kernelspecs()
    assert KERNEL_NAME in specs and "python3" in specs, sorted(specs)
    g = specs[KERNEL_NAME]
    assert os.path.samefile(g["resource_dir"], gocinn.spec_dir)
    spec = g["spec"]
    assert spec["argv"] == [str(gocinn.binary), "kernel", "--connection-file", "{connection_file}"]
    assert spec["language"] == "gocinn"
    assert spec["interrupt_mode"] == "message"
    assert spec["display_name"] == "gocinn (cINN)"
    assert spec["metadata"] == {"debugger": False}
    raw = json.loads((gocinn.spec_dir / "kernel.json").read_text())
    assert "supported_encryption" not in raw


def test_logos(gocinn):
    assert png_size(gocinn.spec_dir / "logo-32x32.png") == (32, 32)
    assert png_size(gocinn.spec_dir / "logo-64x64.png") == (64, 64)
    root = ET.parse(gocinn.spec_dir / "logo-svg.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_install_prefix_and_uninstall(gocinn, tmp_path):
    prefix = tmp_path / "prefix"
    out = run([str(gocinn.binary), "install", "--prefix", str(prefix), "--name", "gocinn-prefixed", "--display-name", "P"])
    assert out.returncode == 0, out.stderr
    env = dict(os.environ, JUPYTER_PATH=str(prefix / "share" / "jupyter"))
    specs = kernelspecs(env)
    assert specs["gocinn-prefixed"]["spec"]["display_name"] == "P"

    out = run([str(gocinn.binary), "uninstall", "--prefix", str(prefix), "--name", "gocinn-prefixed"])
    assert out.returncode == 0, out.stderr
    assert "gocinn-prefixed" not in kernelspecs(env)
    # Uninstalling again says there is nothing to remove.
    out = run([str(gocinn.binary), "uninstall", "--prefix", str(prefix), "--name", "gocinn-prefixed"])
    assert out.returncode == 1 and "no kernelspec" in out.stderr


def test_install_sys_prefix(gocinn, tmp_path):
    env = dict(os.environ, VIRTUAL_ENV=str(tmp_path / "venv"))
    out = run([str(gocinn.binary), "install", "--sys-prefix"], env=env)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "venv" / "share" / "jupyter" / "kernels" / "gocinn" / "kernel.json").is_file()


def test_cli(gocinn):
    out = run([str(gocinn.binary), "version"])
    assert out.returncode == 0 and out.stdout.startswith("gocinn ")
    out = run([str(gocinn.binary), "frobnicate"])
    assert out.returncode == 2
    assert "unknown command" in out.stderr and "Usage:" in out.stderr and out.stdout == ""
    out = run([str(gocinn.binary), "kernel"])
    assert out.returncode == 2 and "--connection-file" in out.stderr
    out = run([str(gocinn.binary), "help"])
    assert out.returncode == 0
    for cmd in ("kernel", "install", "uninstall", "version", "help"):
        assert cmd in out.stdout
