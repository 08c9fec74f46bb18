"""Azurite (npm `azurite`, installed with the validators), the Azure Storage emulator, on loopback: the blob
store the Loki HA test's instances share, as the aks-dev pods share one blob container.

Only the blob service runs, for the emulator's well-known development account. A container is created
through the Blob REST API signed with that account's Shared Key (Loki needs it to exist: "This container
must be created before running", its `container_name` flag help).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path

from tests.validators.tools import free_port, require_tool

# The emulator's fixed development account (documented by Microsoft for Azurite; not a secret).
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
API_VERSION = "2021-08-06"
START_TIMEOUT_SECONDS = 60


@dataclass
class Azurite:
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def endpoint(self) -> str:
        """The account's blob endpoint (path-style, as the emulator serves it)."""
        return f"http://127.0.0.1:{self.port}/{ACCOUNT}"

    @property
    def connection_string(self) -> str:
        """What an Azure client is given for the emulator (Loki: `azure.connection_string`)."""
        return (f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
                f"BlobEndpoint={self.endpoint};")

    def request(self, method: str, path: str, query: dict[str, str]) -> tuple[int, bytes]:
        """A Blob REST call on the account, Shared Key signed; (status, body), HTTP errors returned."""
        headers = {"x-ms-date": formatdate(usegmt=True), "x-ms-version": API_VERSION}
        # A PUT carries an empty body: its Content-Type is set here (urllib would add a form type) and signed.
        content_type = "application/octet-stream" if method == "PUT" else ""
        resource = f"/{ACCOUNT}/{ACCOUNT}{path}"  # path-style URL: the account appears twice
        canonical_query = "".join(f"\n{k.lower()}:{v}" for k, v in sorted(query.items()))
        canonical_headers = "".join(f"{k}:{v}\n" for k, v in sorted(headers.items()))
        # VERB, Content-Encoding, -Language, -Length (empty when 0), -MD5, -Type, Date, If-Modified-Since,
        # If-Match, If-None-Match, If-Unmodified-Since, Range; then the x-ms-* headers and the resource.
        standard = ["", "", "", "", content_type, "", "", "", "", "", ""]
        to_sign = "\n".join([method, *standard]) + "\n" + canonical_headers + resource + canonical_query
        signature = base64.b64encode(hmac.new(base64.b64decode(ACCOUNT_KEY), to_sign.encode(),
                                              hashlib.sha256).digest()).decode()
        url = f"{self.endpoint}{path}?" + "&".join(f"{k}={v}" for k, v in query.items())
        signed = {**headers, "Authorization": f"SharedKey {ACCOUNT}:{signature}"}
        if method == "PUT":
            signed["Content-Type"] = content_type
        request = urllib.request.Request(url, method=method, data=b"" if method == "PUT" else None, headers=signed)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def create_container(self, name: str) -> None:
        status, body = self.request("PUT", f"/{name}", {"restype": "container"})
        assert status == 201, f"Azurite refused to create container {name}: HTTP {status}: {body[:300]!r}"

    def blob_names(self, container: str) -> list[str]:
        status, body = self.request("GET", f"/{container}", {"comp": "list", "restype": "container"})
        assert status == 200, f"Azurite list {container}: HTTP {status}: {body[:300]!r}"
        text = body.decode()
        return [part.split("</Name>", 1)[0] for part in text.split("<Name>")[1:]]


@contextmanager
def running_azurite(workdir: Path) -> Iterator[Azurite]:
    """Azurite's blob service on a free loopback port, its data under `workdir`, killed afterwards."""
    binary = require_tool("azurite-blob")
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = workdir / "azurite.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([binary, "--blobHost", "127.0.0.1", "--blobPort", str(port),
                                    "--location", str(workdir), "--skipApiVersionCheck", "--loose"],
                                   stdout=log, stderr=subprocess.STDOUT)
    azurite = Azurite(process, port, log_path)
    try:
        _wait_listening(azurite)
        yield azurite
    finally:
        process.kill()  # its data is the test's temporary directory: nothing to close gracefully
        process.wait()


def _wait_listening(azurite: Azurite) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        if azurite.process.poll() is not None:
            raise AssertionError(f"Azurite exited with {azurite.process.returncode}:\n{azurite.log_path.read_text()}")
        try:
            azurite.request("GET", "", {"comp": "list"})
            return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"Azurite not listening after {START_TIMEOUT_SECONDS}s:\n"
                                     f"{azurite.log_path.read_text()}") from None
            time.sleep(0.3)
