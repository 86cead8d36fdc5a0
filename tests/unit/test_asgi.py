"""``talentbase.asgi.production_app``: the app of one ``serve`` worker process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import gc
from talentbase.asgi import production_app
app = production_app()
print(gc.get_freeze_count(), len(gc.get_objects()), type(app).__name__)
"""


def test_the_worker_app_freezes_what_lives_as_long_as_the_process(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TALENTBASE_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "TALENTBASE_SECRET_KEY": "asgi-test-secret",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    frozen, tracked, kind = done.stdout.split()
    # the modules, the app and its schemas are out of every later full collection's walk
    assert kind == "FastAPI"
    assert int(frozen) > 50_000
    assert int(tracked) < int(frozen) // 10
