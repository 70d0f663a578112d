"""gocinn behind jupyter_server, the way JupyterLab and Notebook 7 use it:
REST calls to start, interrupt, restart and delete the kernel, and the
kernel's messages over the server's websocket."""

from __future__ import annotations

import json
import time
import uuid

import websocket

class Channels:
    """The server's websocket for one kernel, in the JSON message format."""

    def __init__(self, base: str, token: str, kernel_id: str):
        url = base.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4()}"
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {token}"], timeout=30)
        self.session = uuid.uuid4().hex

    def send(self, msg_type: str, content: dict, channel: str = "shell") -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": msg_type,
                        "username": "e2e",
                        "session": self.session,
                        "date": "",
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": content,
                    "channel": channel,
                    "buffers": [],
                }
            )
        )
        return msg_id

    def execute(self, code: str) -> str:
        return self.send("execute_request", {"code": code, "silent": False, "store_history": True,
                                             "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})

    def until_idle(self, msg_id: str, timeout: float = 30) -> tuple[dict, list[dict]]:
        """The shell reply to msg_id and its IOPub messages, up to status idle."""
        deadline = time.monotonic() + timeout
        reply, iopub = None, []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(
                    f"{msg_id}: after {timeout} s, reply {'received' if reply else 'missing'}, "
                    f"IOPub {[m['msg_type'] for m in iopub]}"
                )
            self.ws.settimeout(left)
            try:
                m = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if m.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if m["channel"] in ("shell", "control"):
                reply = m
            elif m["channel"] == "iopub":
                iopub.append(m)
            idle = any(x["msg_type"] == "status" and x["content"]["execution_state"] == "idle" for x in iopub)
            if reply is not None and idle:
                return reply, iopub

    def wait_iopub(self, timeout: float = 30) -> None:
        """Sends kernel_info requests until one's status reaches us on IOPub,
        as jupyter_server's nudge does for a new connection: after a restart
        the server's IOPub subscription reconnects to the new kernel some
        milliseconds after its shell, and PUB drops what no one receives."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg_id = self.send("kernel_info_request", {})
            try:
                self.until_idle(msg_id, timeout=0.5)
                return
            except TimeoutError:
                continue
        raise TimeoutError(f"no IOPub status from the kernel within {timeout} s")

    def close(self):
        self.ws.close()


def text_of(iopub: list[dict]) -> str:
    return "".join(m["content"].get("text", "") for m in iopub if m["msg_type"] == "stream")


def test_kernelspec_resources(server):
    base, s = server.base, server.http
    specs = s.get(f"{base}/api/kernelspecs", timeout=10).json()["kernelspecs"]
    g = specs["gocinn"]
    assert g["spec"]["language"] == "gocinn"
    for logo in ("logo-32x32", "logo-64x64", "logo-svg"):
        r = s.get(base + g["resources"][logo], timeout=10)
        assert r.ok, logo
    assert s.get(base + g["resources"]["logo-64x64"], timeout=10).content[:4] == b"\x89PNG"


def test_lab_page_served(server):
    base, s = server.base, server.http
    r = s.get(f"{base}/lab", timeout=30)
    assert r.status_code == 200 and "JupyterLab" in r.text


def test_start_execute_interrupt_restart_delete(server):
    base, s = server.base, server.http
    r = s.post(f"{base}/api/kernels", json={"name": "gocinn"}, timeout=30)
    assert r.status_code == 201, r.text
    kid = r.json()["id"]
    ch = Channels(base, server.token, kid)
    try:
        reply, iopub = ch.until_idle(ch.send("kernel_info_request", {}))
        assert reply["content"]["language_info"]["name"] == "gocinn"

        reply, iopub = ch.until_idle(ch.execute("%echo through the server"))
        assert reply["content"]["status"] == "ok" and reply["content"]["execution_count"] == 1
        assert "through the server" in text_of(iopub)

        # Interrupt through REST: the server sends interrupt_request on control.
        msg_id = ch.execute("%sleep 60")
        time.sleep(0.5)
        t0 = time.monotonic()
        assert s.post(f"{base}/api/kernels/{kid}/interrupt", timeout=10).status_code == 204
        reply, iopub = ch.until_idle(msg_id, timeout=10)
        assert time.monotonic() - t0 < 10
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"

        # Restart through REST, then run a cell again on the same websocket.
        r = s.post(f"{base}/api/kernels/{kid}/restart", timeout=60)
        assert r.status_code == 200, r.text
        ch.wait_iopub()
        reply, iopub = ch.until_idle(ch.execute("%echo after restart"))
        assert reply["content"]["status"] == "ok" and reply["content"]["execution_count"] == 1
        assert "after restart" in text_of(iopub)
    finally:
        ch.close()
    assert s.delete(f"{base}/api/kernels/{kid}", timeout=30).status_code == 204
    assert kid not in [k["id"] for k in s.get(f"{base}/api/kernels", timeout=10).json()]
