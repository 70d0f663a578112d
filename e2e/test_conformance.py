"""The Jupyter kernel conformance suite, jupyter_kernel_test 0.7.0, for gocinn.

Every sample attribute of KernelTests is filled, so that none of its tests
is skipped. The samples use the demo executor's %commands.
(IopubWelcomeTests is not run: IOPub welcome messages belong to protocol 5.4,
gocinn speaks 5.3.)
"""

from __future__ import annotations

import jupyter_kernel_test


class GocinnKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "gocinn"
    language_name = "gocinn"
    file_extension = ".gocinn"

    code_hello_world = "%echo hello, world"
    code_stderr = "%echo --stderr something went to stderr"

    completion_samples = [
        {"text": "%ec", "matches": {"%echo"}},
        {"text": "%p", "matches": {"%png", "%page"}},
        {"text": "%echo a\n%sl", "matches": {"%sleep"}},
        {"text": "%zzz", "matches": set()},
    ]

    complete_code_samples = ["%echo hello", "%png\n%echo done", "%echo a \\\n  continued"]
    incomplete_code_samples = ["%echo to be \\", "%png\n%echo more \\"]
    invalid_code_samples = ["echo hello", "%echo fine\nprint(1)"]

    code_page_something = "%page gocinn's pager shows this"

    code_generate_error = "%fail this cell fails on purpose"

    code_execute_result = [
        {"code": "%result 42", "result": "42"},
        {"code": "%result gocinn", "result": "gocinn", "mime": "text/plain"},
    ]
    # Matches exactly one of the codes above (a glob, as in IPython).
    code_history_pattern = "%result 4?"
    supported_history_operations = ("tail", "range", "search")

    code_display_data = [
        {"code": "%png", "mime": "image/png"},
        {"code": "%html <b>bold</b>", "mime": "text/html"},
        {"code": "%display d1 shown with an id", "mime": "text/plain"},
    ]

    code_inspect_sample = "%echo"

    code_clear_output = "%clear"
