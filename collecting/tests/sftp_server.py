"""A real OpenSSH SFTP server for tests: the `sftp_server` and `sftp_folder` fixtures.

`.ci/run` starts a separate sshd on 127.0.0.1 (section "SFTP server") and exports where it is:
SFTP_TEST_HOST, SFTP_TEST_PORT, SFTP_TEST_USER, SFTP_TEST_PASSWORD, SFTP_TEST_KEY_FILE (the user's
private key), SFTP_TEST_HOST_KEY_FINGERPRINT (the server's, SHA256:…) and SFTP_TEST_DIR (the folder
the tests may write in, as the SFTP user sees it). Without them the tests are skipped; under
CI=true they fail. Run the same section of `.ci/run` as root to get the server on a laptop.

`sftp_folder` gives each test a fresh folder on the server, made and emptied over SFTP (paramiko),
with `put` to drop files in it (back-dated by default, as a finished upload is) and `params` to
build an SFTP credential's params pointing at it.

Import both fixtures in the test module, or list this module in `pytest_plugins`.
"""

import os
import posixpath
import socket
import stat
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import paramiko
import pytest

from conftest import require

# A file older than the collector's settling time, so that the collector takes it at once.
FINISHED_AGE_SECONDS = 3600


@dataclass(frozen=True)
class SftpServer:
    host: str
    port: int
    user: str
    password: str
    key_file: str
    fingerprint: str
    root: str

    @property
    def private_key(self) -> str:
        with open(self.key_file) as file:
            return file.read()

    def connect(self) -> tuple[paramiko.Transport, paramiko.SFTPClient]:
        """A password login of the test user, checking the host key: for the fixtures, not the collector."""
        transport = paramiko.Transport(socket.create_connection((self.host, self.port), timeout=10))
        transport.start_client(timeout=10)
        assert transport.get_remote_server_key().fingerprint == self.fingerprint
        transport.auth_password(self.user, self.password)
        sftp = paramiko.SFTPClient.from_transport(transport)
        assert sftp is not None
        return transport, sftp


class SftpFolder:
    """A fresh folder on the SFTP server for one test, and an open SFTP session to fill and inspect it."""

    def __init__(self, *, server: SftpServer, sftp: paramiko.SFTPClient, path: str) -> None:
        self.server = server
        self.sftp = sftp
        self.path = path

    def put(self, name: str, data: bytes, *, age_seconds: int = FINISHED_AGE_SECONDS) -> str:
        """Writes `name` (relative to the folder) and sets its modification time `age_seconds` ago."""
        path = posixpath.join(self.path, name)
        with self.sftp.open(path, "wb") as file:
            file.write(data)
        mtime = int(time.time()) - age_seconds
        self.sftp.utime(path, (mtime, mtime))
        return path

    def names(self, subfolder: str = "") -> list[str]:
        """The names in the folder (or one of its subfolders), sorted; [] when it does not exist."""
        try:
            return sorted(self.sftp.listdir(posixpath.join(self.path, subfolder)))
        except FileNotFoundError:
            return []

    def read(self, name: str) -> bytes:
        with self.sftp.open(posixpath.join(self.path, name), "rb") as file:
            return file.read()

    def params(self, **overrides: Any) -> dict[str, Any]:
        """An SFTP credential's params for this folder: password login, the server's real host key."""
        params: dict[str, Any] = {
            "host": self.server.host,
            "port": self.server.port,
            "user": self.server.user,
            "password": self.server.password,
            "host_key": self.server.fingerprint,
            "path": self.path,
        }
        params.update(overrides)
        return {name: value for name, value in params.items() if value is not None}

    def remove(self) -> None:
        _remove_tree(self.sftp, self.path)


def _remove_tree(sftp: paramiko.SFTPClient, path: str) -> None:
    for entry in sftp.listdir_attr(path):
        child = posixpath.join(path, entry.filename)
        if entry.st_mode is not None and stat.S_ISDIR(entry.st_mode):
            _remove_tree(sftp, child)
        else:
            sftp.remove(child)
    sftp.rmdir(path)


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def sftp_server() -> SftpServer:
    names = ["HOST", "PORT", "USER", "PASSWORD", "KEY_FILE", "HOST_KEY_FINGERPRINT", "DIR"]
    values = {name: os.environ.get(f"SFTP_TEST_{name}", "") for name in names}
    available = all(values.values()) and values["PORT"].isdigit() and _answers(values["HOST"], int(values["PORT"]))
    require(available, "the OpenSSH SFTP server of .ci/run (SFTP_TEST_* variables)")
    return SftpServer(
        host=values["HOST"],
        port=int(values["PORT"]),
        user=values["USER"],
        password=values["PASSWORD"],
        key_file=values["KEY_FILE"],
        fingerprint=values["HOST_KEY_FINGERPRINT"],
        root=values["DIR"],
    )


@pytest.fixture
def sftp_folder(sftp_server: SftpServer, request: pytest.FixtureRequest) -> Iterator[SftpFolder]:
    transport, sftp = sftp_server.connect()
    try:
        name = "".join(c if c.isalnum() else "-" for c in request.node.name)[:80]
        path = posixpath.join(sftp_server.root, f"{name}-{uuid.uuid4().hex[:8]}")
        sftp.mkdir(path)
        folder = SftpFolder(server=sftp_server, sftp=sftp, path=path)
        yield folder
        folder.remove()
    finally:
        sftp.close()
        transport.close()
