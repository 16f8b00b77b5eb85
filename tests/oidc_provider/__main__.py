"""`python -m tests.oidc_provider DIR`: generate a key, set up, serve; print one JSON line.

The line, `{"issuer": …, "control_token": …}`, tells the test that started it where the
provider is once it answers; it stops with SIGTERM.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    state_dir = Path(sys.argv[1])
    state_dir.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (state_dir / "rsa.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    # Bound before Django starts: the issuer URL names the port.
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    port = server.server_address[1]
    control_token = secrets.token_urlsafe(24)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tests.oidc_provider.settings",
        OIDC_PROVIDER_DIR=str(state_dir),
        OIDC_PROVIDER_PORT=str(port),
        OIDC_PROVIDER_SECRET_KEY=secrets.token_urlsafe(40),
        OIDC_PROVIDER_CONTROL_TOKEN=control_token,
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    from tests.oidc_provider.control import create_client

    call_command("migrate", verbosity=0, interactive=False)
    create_client()
    server.set_app(get_wsgi_application())
    issuer = f"http://127.0.0.1:{port}/o"
    print(json.dumps({"issuer": issuer, "control_token": control_token}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
