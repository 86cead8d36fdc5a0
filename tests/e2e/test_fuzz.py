"""Fuzzing (issue 6 §4): schemathesis against the server's own ``/openapi.json``, every route,
examples + coverage + fuzzing + stateful phases (OpenAPI links chain creates to reads and
writes). Zero failures: no 5xx, every answer in its documented status, content type, headers
and schema, invalid input refused, undeclared methods answered 405 with a right ``Allow``.

The budget is ``TALENTBASE_FUZZ_MAX_EXAMPLES`` per operation and phase (default 15, sized to
keep CI short); a fixed seed makes a run repeatable, ``TALENTBASE_FUZZ_SEED`` changes it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

from tests.conftest import backend
from tests.e2e.servers import running_server

CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "unsupported_method",
        "allow_header_conformance",
        "use_after_free",
        "ensure_resource_availability",
    )
)


def test_schemathesis_finds_no_failure(tmp_path: Path, database_url: str) -> None:
    url = f"sqlite:///{tmp_path / 'fuzz.db'}" if backend() == "sqlite" else database_url
    key = f"tb_fuzz-{uuid.uuid4().hex}"
    env = {
        "TALENTBASE_BOOTSTRAP_API_KEY": key,
        "TALENTBASE_BOOTSTRAP_WORKSPACE": f"fuzz-{uuid.uuid4().hex}",
        "TALENTBASE_RATE_LIMIT_PER_MINUTE": "1000000",
        "TALENTBASE_RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE": "1000000",
        "TALENTBASE_ACCESS_LOG": "false",
        "TALENTBASE_ATTACHMENTS_DIR": str(tmp_path / "attachments"),
        # webhooks the fuzzer subscribes may only name loopback: a worker delivers to them
        "TALENTBASE_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    }
    examples = os.environ.get("TALENTBASE_FUZZ_MAX_EXAMPLES", "15")
    seed = os.environ.get("TALENTBASE_FUZZ_SEED", "20261129")
    with running_server(url, tmp_path / "server.log", env) as base:
        run = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                f"{base}/openapi.json",
                "--header",
                f"x-api-key: {key}",
                "--checks",
                CHECKS,
                "--max-examples",
                examples,
                "--seed",
                seed,
                "--workers",
                "1",
                "--suppress-health-check",
                "all",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=1500,
            check=False,
            cwd=tmp_path,  # schemathesis keeps its state in ./.schemathesis
        )
    report = run.stdout + run.stderr
    cases = re.search(r"(\d+) generated", report)
    print(f"schemathesis: {cases.group(0) if cases else 'no count'}; budget {examples}/operation")
    assert run.returncode == 0, report[-20000:]
