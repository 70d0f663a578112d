"""jupyter console starting gocinn and answering cells at its prompt."""

from __future__ import annotations

import pexpect

from conftest import venv_bin


def test_console_answers_a_cell(tmp_path):
    console = venv_bin("jupyter-console")
    child = pexpect.spawn(
        console,
        ["--kernel", "gocinn", "--simple-prompt", "--no-confirm-exit"],
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 200),
    )
    try:
        child.expect(r"In \[1\]: ")
        child.sendline("%echo hello from the console")
        child.expect("hello from the console")
        child.expect(r"In \[2\]: ")
        child.sendline("%brokn on purpose")
        child.expect("unknown magic %brokn")
        child.expect(r"In \[3\]: ")
        child.sendline("%echo --result 6x7")
        child.expect(r"Out\[3\]: 6x7")
        child.expect(r"In \[4\]: ")
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
        log = child.before
    assert child.exitstatus == 0, f"jupyter console exited with {child.exitstatus} {child.signalstatus}: {log}"
