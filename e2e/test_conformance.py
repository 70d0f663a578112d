"""The Jupyter kernel conformance suite, jupyter_kernel_test 0.7.0, for gocinn.

Every sample attribute of KernelTests is filled, so that none of its tests
is skipped. The samples use gocinn's magics.
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
        {"text": "%p", "matches": {"%plot"}},
        {"text": "%echo a\n%sl", "matches": {"%sleep"}},
        {"text": "%zzz", "matches": set()},
    ]

    complete_code_samples = ["%echo hello", "%who\n%echo done", "%echo a \\\n  continued", "%%model\nblocks: 4"]
    incomplete_code_samples = ["%echo to be \\", "%who\n%echo more \\"]
    invalid_code_samples = ["echo hello", "%echo fine\nprint(1)"]

    code_page_something = "%train?"

    code_generate_error = "%trian --epochs 3"

    code_execute_result = [
        {"code": "%echo --result 42", "result": "42"},
        {"code": "%echo --result gocinn", "result": "gocinn", "mime": "text/plain"},
    ]
    # Matches exactly one of the codes above (a glob, as in IPython).
    code_history_pattern = "%echo --result 4?"
    supported_history_operations = ("tail", "range", "search")

    code_display_data = [
        {"code": "%simulate two_moons --n 300 --as tm --quiet\n%plot hist2d --data tm --x x1 --y x2", "mime": "image/png"},
        {"code": "%help", "mime": "text/html"},
        {"code": "%simulate two_moons --n 300 --as tm", "mime": "text/plain"},
    ]

    code_inspect_sample = "%echo"

    code_clear_output = "%clear"
