"""gocinn driven by jupyter_client's KernelManager and BlockingKernelClient."""

from __future__ import annotations

import base64
import os
import signal
import time
from queue import Empty

import pytest
import zmq
from jupyter_client.blocking.client import BlockingKernelClient

from conftest import REPLY_TIMEOUT, collect, execute, stream_text


def iopub_until_idle(kc, msg_id, timeout=REPLY_TIMEOUT):
    """All IOPub messages of msg_id, status included, up to status idle."""
    deadline = time.monotonic() + timeout
    msgs = []
    while True:
        m = kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        msgs.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return msgs


def test_kernel_info(kernel):
    km, kc = kernel
    msg_id = kc.kernel_info()
    reply = kc.get_shell_msg(timeout=REPLY_TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["header"]["version"] == "5.3"
    c = reply["content"]
    assert c["status"] == "ok"
    assert c["protocol_version"] == "5.3"
    assert c["implementation"] == "gocinn" and c["implementation_version"]
    li = c["language_info"]
    assert li["name"] == "gocinn"
    for field in ("version", "mimetype", "file_extension"):
        assert li[field], field
    assert li["file_extension"].startswith(".")
    assert "gocinn" in c["banner"]
    assert c["help_links"] and all(set(h) == {"text", "url"} for h in c["help_links"])
    # kernel_info is wrapped in busy/idle like every request.
    states = [m["content"]["execution_state"] for m in iopub_until_idle(kc, msg_id) if m["msg_type"] == "status"]
    assert states == ["busy", "idle"]


def test_stdout_stderr_and_execute_input(kernel):
    km, kc = kernel
    code = "%echo hello, world"
    msg_id = kc.execute(code)
    msgs = iopub_until_idle(kc, msg_id)
    types = [m["msg_type"] for m in msgs]
    assert types[0] == "status" and msgs[0]["content"]["execution_state"] == "busy"
    assert types[1] == "execute_input" and msgs[1]["content"]["code"] == code
    assert "hello, world" in stream_text(msgs)
    reply = shell_reply(kc, msg_id)
    assert reply["content"]["status"] == "ok"
    assert msgs[1]["content"]["execution_count"] == reply["content"]["execution_count"]

    reply, out = execute(kc, "%echo --stderr careful")
    assert reply["content"]["status"] == "ok"
    assert "careful" in stream_text(out, "stderr") and stream_text(out, "stdout") == ""


def shell_reply(kc, msg_id):
    deadline = time.monotonic() + REPLY_TIMEOUT
    while True:
        m = kc.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
        if m["parent_header"].get("msg_id") == msg_id:
            return m


def test_rich_outputs(kernel):
    km, kc = kernel
    reply, out = execute(kc, "%simulate two_moons --n 300 --as rich --quiet\n%plot hist2d --data rich --x x1 --y x2 --width 300")
    assert reply["content"]["status"] == "ok"
    (d,) = [m for m in out if m["msg_type"] == "display_data"]
    png = base64.b64decode(d["content"]["data"]["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert "text/plain" in d["content"]["data"]
    # Rendered at twice the logical size given in the metadata.
    width = int.from_bytes(png[16:20], "big")
    assert d["content"]["metadata"]["image/png"]["width"] == 300 and width == 600

    reply, out = execute(kc, "%help")
    (d,) = [m for m in out if m["msg_type"] == "display_data"]
    assert "<table" in d["content"]["data"]["text/html"]
    assert "%train" in d["content"]["data"]["text/plain"]

    reply, out = execute(kc, "%echo --result forty-two")
    (r,) = [m for m in out if m["msg_type"] == "execute_result"]
    assert r["content"]["data"]["text/plain"] == "forty-two"
    assert r["content"]["execution_count"] == reply["content"]["execution_count"]


def test_display_update_and_clear(kernel):
    km, kc = kernel
    # %train shows its progress in one display and updates it in place.
    reply, out = execute(
        kc, "%simulate two_moons --n 500 --as upd --quiet\n%data upd\n%model --blocks 2 --hidden 16 --layers 1\n%train --epochs 2 --batch 64"
    )
    assert reply["content"]["status"] == "ok"
    ids = [m["content"]["transient"]["display_id"] for m in out if m["msg_type"] == "display_data" and m["content"].get("transient")]
    assert len(ids) == 1, ids
    updates = [m for m in out if m["msg_type"] == "update_display_data"]
    assert updates and all(u["content"]["transient"]["display_id"] == ids[0] for u in updates)
    assert "epoch 2/2" in updates[-1]["content"]["data"]["text/plain"]
    reply, out = execute(kc, "%clear")
    assert [m["msg_type"] for m in out] == ["clear_output"]


def test_error_and_execution_count(kernel):
    km, kc = kernel
    r1, _ = execute(kc, "%echo one")
    r2, out = execute(kc, "%load something-broke.csv")
    c = r2["content"]
    assert c["status"] == "error"
    assert c["execution_count"] == r1["content"]["execution_count"] + 1
    assert c["ename"] and "something-broke.csv" in c["evalue"] and isinstance(c["traceback"], list)
    assert [m["msg_type"] for m in out] == ["error"]
    e = out[0]["content"]
    assert e["ename"] == c["ename"] and e["evalue"] == c["evalue"] and isinstance(e["traceback"], list)

    # store_history false keeps the count; silent publishes nothing.
    r3, _ = execute(kc, "%echo quiet", store_history=False)
    assert r3["content"]["execution_count"] == c["execution_count"]
    r4, out = execute(kc, "%echo silent", silent=True)
    assert r4["content"]["status"] == "ok" and out == []
    r5, _ = execute(kc, "%echo two")
    assert r5["content"]["execution_count"] == c["execution_count"] + 1


def test_stop_on_error_aborts_queued_cells(kernel):
    km, kc = kernel
    # The failing cell runs for a while, so that the second request is
    # queued in the kernel when it fails (requests that arrive after the
    # failure run, as in ipykernel).
    failing = kc.execute("%sleep 0.5\n%trian first")
    queued = kc.execute("%echo never")
    r1, _ = collect(kc, failing)
    r2, out = collect(kc, queued)
    assert r1["content"]["status"] == "error"
    assert r2["content"]["status"] == "aborted"
    assert "never" not in stream_text(out)
    # The next cell runs again.
    r3, out = execute(kc, "%echo after")
    assert r3["content"]["status"] == "ok" and "after" in stream_text(out)


def wait_busy(kc, msg_id, timeout=REPLY_TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        m = kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_input":
            return


@pytest.mark.parametrize("how", ["interrupt_request", "SIGINT"])
def test_interrupt(kernel, how):
    km, kc = kernel
    start = time.monotonic()
    msg_id = kc.execute("%sleep 60")
    wait_busy(kc, msg_id)
    time.sleep(0.2)
    if how == "interrupt_request":
        km.interrupt_kernel()  # interrupt_mode "message": an interrupt_request on control
    else:
        os.kill(km.provisioner.pid, signal.SIGINT)
    reply, out = collect(kc, msg_id, timeout=10)
    assert time.monotonic() - start < 10, "the interrupt did not stop the cell"
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert [m["msg_type"] for m in out] == ["error"]
    # The kernel is idle and runs the next cell.
    reply, out = execute(kc, "%echo still here")
    assert reply["content"]["status"] == "ok" and "still here" in stream_text(out)
    assert km.is_alive()


def test_heartbeat_and_control_while_cell_spins(kernel):
    km, kc = kernel
    # A cell that keeps the CPU busy: training a network for a few seconds.
    msg_id = kc.execute("%simulate two_moons --n 20000 --as spin --quiet\n%data spin\n%model --blocks 4 --hidden 64\n%train --epochs 2 --batch 128")
    wait_busy(kc, msg_id)
    ctx = zmq.Context.instance()
    hb = ctx.socket(zmq.REQ)
    hb.setsockopt(zmq.LINGER, 0)
    hb.connect(f"{km.transport}://{km.ip}:{km.hb_port}")
    try:
        for i in range(5):
            hb.send(b"ping %d" % i)
            assert hb.poll(1000), "heartbeat not answered within 1 s while a cell runs"
            assert hb.recv() == b"ping %d" % i
            time.sleep(0.1)
    finally:
        hb.close()
    # Control is served too: a kernel_info on control comes back before the cell ends.
    t0 = time.monotonic()
    req = kc.session.msg("kernel_info_request")
    kc.control_channel.send(req)
    cid = req["header"]["msg_id"]
    m = kc.get_control_msg(timeout=2)
    assert m["parent_header"]["msg_id"] == cid and m["msg_type"] == "kernel_info_reply"
    assert time.monotonic() - t0 < 2
    reply, _ = collect(kc, msg_id)
    assert reply["content"]["status"] == "ok"


def test_stdin(kernel):
    km, kc = kernel
    # %reset asks for confirmation on the stdin channel, as IPython's does.
    execute(kc, "%simulate two_moons --n 100 --as keep --quiet")
    msg_id = kc.execute("%reset", allow_stdin=True)
    req = kc.get_stdin_msg(timeout=REPLY_TIMEOUT)
    assert req["msg_type"] == "input_request"
    assert req["parent_header"]["msg_id"] == msg_id
    assert "Forget every dataset" in req["content"]["prompt"]
    kc.input("n")
    reply, out = collect(kc, msg_id)
    assert reply["content"]["status"] == "ok"
    assert "nothing forgotten" in stream_text(out)
    reply, out = execute(kc, "%who")
    assert "keep" in [m for m in out if m["msg_type"] == "execute_result"][0]["content"]["data"]["text/plain"]

    # Without allow_stdin the cell fails instead of waiting forever.
    reply, out = execute(kc, "%reset", allow_stdin=False, timeout=10)
    assert reply["content"]["status"] == "error"
    assert "--force" in reply["content"]["evalue"]


def test_restart(kernel):
    km, kc = kernel
    r, _ = execute(kc, "%echo before")
    assert r["content"]["execution_count"] == 1
    old = km.provisioner.process
    km.restart_kernel(now=False)
    # The old process exited by itself after shutdown_request, not killed.
    assert old.wait(timeout=10) == 0
    kc.wait_for_ready(timeout=30)  # also waits until IOPub is connected
    r, out = execute(kc, "%echo after restart")
    assert r["content"]["status"] == "ok" and "after restart" in stream_text(out)
    assert r["content"]["execution_count"] == 1


def test_shutdown(kernel):
    km, kc = kernel
    proc = km.provisioner.process
    msg_id = kc.shutdown()
    reply = kc.get_control_msg(timeout=REPLY_TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["msg_type"] == "shutdown_reply"
    assert reply["content"]["status"] == "ok" and reply["content"]["restart"] is False
    assert proc.wait(timeout=10) == 0


def test_forged_messages_are_dropped(kernel):
    km, kc = kernel
    info = km.get_connection_info()
    forger = BlockingKernelClient()
    forger.load_connection_info({**info, "key": b"not-the-key"})
    forger.start_channels()
    try:
        forger.execute("%echo FORGED")
        forger.shutdown()
        time.sleep(1)
        # Nothing the forger sent ran: no output, no reply, kernel alive.
        seen = []
        while True:
            try:
                seen.append(kc.get_iopub_msg(timeout=0.2))
            except Empty:
                break
        assert not any("FORGED" in str(m["content"]) for m in seen)
        with pytest.raises(Empty):
            forger.get_shell_msg(timeout=0.5)
        assert km.is_alive()
        reply, out = execute(kc, "%echo genuine")
        assert reply["content"]["status"] == "ok" and "genuine" in stream_text(out)
    finally:
        forger.stop_channels()


def test_concurrent_requests_keep_their_replies(kernel):
    """Requests sent back to back are all answered, each with its own parent."""
    km, kc = kernel
    ids = [kc.execute(f"%echo n{i}") for i in range(20)] + [kc.complete("%ec", 3), kc.is_complete("%echo")]
    got = {}
    deadline = time.monotonic() + REPLY_TIMEOUT
    while len(got) < len(ids):
        m = kc.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
        got[m["parent_header"]["msg_id"]] = m
    assert set(got) == set(ids)
    assert all(got[i]["content"]["status"] == "ok" for i in ids[:-1])  # executes and complete
    assert got[ids[-1]]["content"]["status"] == "complete"
    counts = [got[i]["content"]["execution_count"] for i in ids[:20]]
    assert counts == list(range(counts[0], counts[0] + 20))
