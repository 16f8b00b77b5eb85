"""Start the test provider as a real process on 127.0.0.1 and drive it like its admin would."""

from __future__ import annotations

import html
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60


@dataclass
class RunningProvider:
    issuer: str
    control_token: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    @property
    def origin(self) -> str:
        return self.issuer.removesuffix("/o")

    def _control(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = requests.post(
            f"{self.origin}/test/{path}/",
            json=body,
            headers={"Authorization": f"Bearer {self.control_token}"},
            timeout=10,
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def put_person(
        self,
        username: str,
        *,
        password: str = "provider-password",
        name: str = "",
        email: str = "",
        groups: list[str] | None = None,
        active: bool = True,
    ) -> dict[str, Any]:
        return self._control(
            "people",
            {
                "username": username,
                "password": password,
                "name": name,
                "email": email,
                "groups": groups or [],
                "active": active,
            },
        )

    def configure_client(self, **changes: Any) -> dict[str, Any]:
        return self._control("client", changes)

    def expire_codes(self) -> int:
        return int(self._control("expire-codes", {})["expired"])


@contextmanager
def start_provider() -> Iterator[RunningProvider]:
    """The provider, up and answering, for the duration of the block."""
    with tempfile.TemporaryDirectory(prefix="prr-oidc-provider-") as state_dir:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PRR_", "DJANGO_"))}
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider", state_dir],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"the test OIDC provider exited ({process.wait()})")
            ready = json.loads(line)
            yield RunningProvider(issuer=ready["issuer"], control_token=ready["control_token"])
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=START_TIMEOUT)


class ProviderBrowser:
    """A person's browser at the provider, without JavaScript: logs in and follows redirects
    until the provider sends them back to the client (the redirect is returned, not followed)."""

    def __init__(self, provider: RunningProvider) -> None:
        self.provider = provider
        self.session = requests.Session()

    def authorize(
        self, url: str, username: str, password: str = "provider-password", *, consent: bool = True
    ) -> str:
        """Follow an authorization request; the URL the provider redirects back to."""
        response = self.session.get(url, allow_redirects=False, timeout=10)
        if _is_login(response):
            login_url = response.headers["Location"]
            login_url = requests.compat.urljoin(self.provider.origin, login_url)
            page = self.session.get(login_url, timeout=10)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            assert token is not None, page.text
            next_url = re.search(r'name="next" value="([^"]*)"', page.text)
            response = self.session.post(
                login_url,
                data={
                    "csrfmiddlewaretoken": token.group(1),
                    "username": username,
                    "password": password,
                    "next": next_url.group(1).replace("&amp;", "&") if next_url else "",
                },
                headers={"Referer": login_url},
                allow_redirects=False,
                timeout=10,
            )
            assert response.status_code == 302, f"provider login refused: {response.text[:300]}"
            response = self.session.get(
                requests.compat.urljoin(self.provider.origin, response.headers["Location"]),
                allow_redirects=False,
                timeout=10,
            )
        if response.status_code == 200 and 'id="authorizationForm"' in response.text:
            response = self._consent(response, allow=consent)
        assert response.status_code == 302, f"provider answered {response.status_code}"
        return str(response.headers["Location"])

    def _consent(self, page: requests.Response, *, allow: bool) -> requests.Response:
        """Answer django-oauth-toolkit's consent form (`oauth2_provider/authorize.html`)."""
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        fields = {k: html.unescape(v) for k, v in fields.items()}
        if allow:
            fields["allow"] = "Authorize"
        return self.session.post(
            page.url,
            data=fields,
            headers={"Referer": page.url},
            allow_redirects=False,
            timeout=10,
        )


def _is_login(response: requests.Response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response.headers["Location"]
