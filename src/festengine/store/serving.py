"""Where the service is wired: fest + store + service + app + server (``festengine serve``).

``build_app`` is the one place that assembles them; ``serve`` runs it with uvicorn; ``running_server``
starts ``festengine serve`` in a subprocess on a free loopback port for tests and benchmarks.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from festengine.errors import FestEngineError

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["build_app", "free_port", "running_server", "serve"]


def build_app(pack: str | os.PathLike[str], db: str | os.PathLike[str], **store_options: Any) -> FastAPI:
    """Load the pack, open (or create) the store, and return the app; the store closes when the app stops."""
    from festengine.catalog.loader import load_fest
    from festengine.store.http import create_app
    from festengine.store.service import FestService
    from festengine.store.store import FestStore

    fest = load_fest(pack)
    store = FestStore.open(db, fest, **store_options)
    try:
        from festengine.store.admin import environment_token

        return create_app(FestService(store), on_shutdown=store.close, admin_token=environment_token())
    except BaseException:
        store.close()
        raise


def serve(
    pack: str | os.PathLike[str], db: str | os.PathLike[str], *, host: str = "127.0.0.1", port: int = 8000
) -> None:
    """Serve the store over HTTP until interrupted (uvicorn, one process: the store has one writer)."""
    try:
        import uvicorn
    except ImportError as error:
        raise FestEngineError('the HTTP service needs FastAPI and uvicorn: pip install "festengine[serve]"') from error
    app = build_app(pack, db)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_server(
    pack: str | os.PathLike[str], db: str | os.PathLike[str], *, start_timeout: float = 60.0
) -> Iterator[str]:
    """Run ``festengine serve`` in a subprocess on a free loopback port; yield its base URL; stop it on exit."""
    port = free_port()
    command = [sys.executable, "-m", "festengine.cli", "serve", str(pack), "--db", str(db), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, base_url, start_timeout)
        yield base_url
    finally:
        _stop(process)


def _wait_healthy(process: subprocess.Popen[bytes], base_url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise FestEngineError(f"festengine serve exited with {process.returncode}: {error.strip()}")
        try:
            with urllib.request.urlopen(base_url + "/health", timeout=2):  # noqa: S310 - our own loopback URL
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise FestEngineError(f"festengine serve did not answer on {base_url} within {timeout:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stderr is not None:
        process.stderr.close()
