"""Fixtures: TLS material and a webhook server on 127.0.0.1 (ephemeral port) that stops by itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from webhook_certs import CertPair, make_ca, make_server_cert, openssl_available
from webhook_support import SERVER_LIFETIME, Client, FakeInjector, ServerFactory, client_context

from sidecarctl.webhook.engine import SettingsFlags
from sidecarctl.webhook.reload import SettingsReloader
from sidecarctl.webhook.server import BackgroundServer, ServerConfig, WebhookServer


@pytest.fixture(scope="session")
def tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not openssl_available():
        pytest.skip("openssl is not installed")
    return tmp_path_factory.mktemp("tls")


@pytest.fixture(scope="session")
def ca(tls_dir: Path) -> tuple[Path, Path]:
    return make_ca(tls_dir)


@pytest.fixture(scope="session")
def certs(tls_dir: Path, ca: tuple[Path, Path]) -> CertPair:
    """Shared by the tests (RSA keys are slow to make); a test that rotates copies them first."""
    return make_server_cert(tls_dir, ca)


@pytest.fixture
def start_server(certs: CertPair) -> Iterator[ServerFactory]:
    running: list[BackgroundServer] = []

    def start(
        injector: Any = None,
        loader: Callable[[SettingsFlags], Any] | None = None,
        flags: SettingsFlags | None = None,
        pair: CertPair | None = None,
        **config: Any,
    ) -> tuple[WebhookServer, Client]:
        pair = pair or certs
        flags = flags or SettingsFlags(offline=True)
        fake = injector if injector is not None else FakeInjector()
        reloader = SettingsReloader(flags, loader or (lambda _flags: fake))
        cfg = ServerConfig(
            host="127.0.0.1",
            port=0,
            cert_file=str(pair.cert),
            key_file=str(pair.key),
            lifetime=SERVER_LIFETIME,
            **config,
        )
        background = BackgroundServer(WebhookServer(cfg, reloader))
        server = background.__enter__()
        running.append(background)
        return server, Client(f"https://127.0.0.1:{server.port}", client_context(pair.ca))

    yield start
    for background in running:
        background.stop()
