"""The "Folder over SFTP" collector: the files of one folder on an SSH server, matching a pattern.

The server is trusted only by the host key the user gave (`host_key`: a SHA256 fingerprint, or the
key lines `ssh-keyscan` prints): nothing is trusted on first use, and a server whose key differs is
refused with its real fingerprint in the message, so the user can check it and paste it.

One folder, not its subfolders (the `done` folder lives inside it). A file is named for good by its
path, size and modification time, so a file replaced by another of the same name is collected again.
Files still being written are left for the next run: files modified less than `SETTLE_SECONDS` ago,
and empty files. After the run has stored what it collected, `finish` moves those files into
`<path>/done/` (`after=move_to_done`) or leaves them where they are (`after=leave`: the run
remembers their keys).

The connection uses paramiko's `Transport`, not its `SSHClient`, so that no key of the server's own
(`~/.ssh`, an agent) is ever offered and no known_hosts file is read or written.
"""

import base64
import fnmatch
import hashlib
import io
import logging
import mimetypes
import posixpath
import socket
import stat
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from django.conf import settings

from collecting.collectors import register
from collecting.collectors.base import (
    Collector,
    CollectorError,
    DocumentRef,
    Downloaded,
    LoginFailed,
    Param,
    Session,
    TransientError,
    TwoFactorPrompt,
)

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20
# A file modified this recently may still be uploading: leave it for the next run.
SETTLE_SECONDS = 60
DONE_FOLDER = "done"
DEFAULT_PATTERN = "*.pdf;*.xml;*.jpg;*.jpeg;*.png"
SOURCE_KEY_MAX = 500  # CollectedDocument.source_key

# The host key algorithms paramiko negotiates for each key type a user may paste.
HOST_KEY_ALGORITHMS = {
    "ssh-ed25519": ("ssh-ed25519",),
    "ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"),
    "ecdsa-sha2-nistp256": ("ecdsa-sha2-nistp256",),
    "ecdsa-sha2-nistp384": ("ecdsa-sha2-nistp384",),
    "ecdsa-sha2-nistp521": ("ecdsa-sha2-nistp521",),
}


def fingerprint(blob: bytes) -> str:
    """A public key's SHA256 fingerprint as OpenSSH prints it (`ssh-keygen -l`)."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _key_blob(key_type: str, text: str) -> bytes | None:
    """The key blob `text` holds (base64) when it is a public key of `key_type`, else None."""
    try:
        blob = base64.b64decode(text, validate=True)
    except ValueError:
        return None
    prefix = len(key_type).to_bytes(4, "big") + key_type.encode()
    return blob if blob.startswith(prefix) else None


def host_keys_parse(text: str) -> list[str]:
    """The host keys a user pasted, as `SHA256:…` or `<key type> SHA256:…` lines.

    Accepts SHA256 fingerprints (`ssh-keygen -lf`), public key lines (`…/ssh_host_ed25519_key.pub`)
    and known_hosts lines (`ssh-keyscan`, hashed or not), one per line; `#` lines are ignored.
    Raises ValueError naming what it could not read."""
    found: list[str] = []
    for raw_line in text.replace(",", "\n").splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        entry = None
        for index, word in enumerate(words):
            if word.startswith("SHA256:") and len(word) == len("SHA256:") + 43:
                entry = word
                break
            if word in HOST_KEY_ALGORITHMS and index + 1 < len(words):
                blob = _key_blob(word, words[index + 1])
                if blob is not None:
                    entry = f"{word} {fingerprint(blob)}"
                    break
        if entry is None:
            shown = line if len(line) <= 60 else line[:57] + "..."
            raise ValueError(
                f"not a host key: {shown!r}. Give the server's SHA256 fingerprint (SHA256:…) "
                "or its key lines as `ssh-keyscan` prints them."
            )
        if entry not in found:
            found.append(entry)
    if not found:
        raise ValueError("required.")
    return found


def private_key_load(text: str) -> paramiko.PKey:
    """The private key a user pasted (OpenSSH or PEM: Ed25519, ECDSA or RSA, without a passphrase).
    Raises ValueError; its message never shows the key."""
    data = text.strip().encode() + b"\n"
    loaded: object
    try:
        try:
            loaded = serialization.load_ssh_private_key(data, password=None)
        except ValueError:
            loaded = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise ValueError("the private key is protected by a passphrase; give one without.") from None
    except (ValueError, paramiko.SSHException):
        raise ValueError("not a private key in OpenSSH or PEM format (Ed25519, ECDSA or RSA).") from None
    key_class: type[paramiko.PKey]
    if isinstance(loaded, ed25519.Ed25519PrivateKey):
        key_class = paramiko.Ed25519Key
    elif isinstance(loaded, ec.EllipticCurvePrivateKey):
        key_class = paramiko.ECDSAKey
    elif isinstance(loaded, rsa.RSAPrivateKey):
        key_class = paramiko.RSAKey
    else:
        raise ValueError("not an Ed25519, ECDSA or RSA private key.")
    try:
        return key_class.from_private_key(io.StringIO(data.decode()))
    except (ValueError, paramiko.SSHException):
        raise ValueError("not a private key in OpenSSH or PEM format (Ed25519, ECDSA or RSA).") from None


def patterns_parse(text: str) -> list[str]:
    """The file name patterns (`*.pdf;*.xml`), lower-cased: matching ignores case."""
    found = [part.strip().lower() for part in text.replace(",", ";").split(";") if part.strip()]
    if not found:
        raise ValueError("at least one file name pattern, such as *.pdf.")
    return found


def mimetype_of(data: bytes, file_name: str) -> str:
    """The document's type from its bytes where they tell, else from its name (the intake sniffs again)."""
    if data.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        return "application/xml"
    return mimetypes.guess_type(file_name)[0] or "application/octet-stream"


def source_key(*, path: str, size: int, mtime: int) -> str:
    key = f"sftp:{path}|{size}|{mtime}"
    if len(key) > SOURCE_KEY_MAX:
        key = "sftp-sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


class SftpSession(Session):
    def __init__(self, *, transport: paramiko.Transport, sftp: paramiko.SFTPClient, params: dict[str, Any]) -> None:
        self.transport = transport
        self.sftp = sftp
        self.folder = posixpath.normpath(params.get("path") or "/")
        self.patterns = patterns_parse(params.get("pattern") or DEFAULT_PATTERN)
        self.after = params.get("after") or "leave"

    def _fail(self, doing: str, error: Exception) -> CollectorError:
        """The run's error for an SFTP operation that failed while `doing` ("listing the folder /in")."""
        if isinstance(error, TimeoutError | EOFError | paramiko.SSHException):
            return TransientError(f"The SFTP server stopped answering while {doing}.")
        if isinstance(error, FileNotFoundError):
            return CollectorError(f"The SFTP server found no such file or folder while {doing}.")
        if isinstance(error, PermissionError):
            return CollectorError(f"The SFTP server denied the permission for {doing}.")
        return CollectorError(f"The SFTP server failed {doing} ({error}).")

    def documents(self, *, since: datetime | None) -> Iterable[DocumentRef]:
        # `since` is not used: a file's modification time is kept by copies (`scp -p`, rsync), so a
        # file that arrives today may carry an older one; the folder is listed in full every run.
        try:
            entries = self.sftp.listdir_attr(self.folder)
        except (OSError, EOFError, paramiko.SSHException) as error:
            raise self._fail(f"listing the folder {self.folder}", error) from error
        limit = settings.EXTRACTION_MAX_BYTES
        settled_before = time.time() - SETTLE_SECONDS
        found = []
        for entry in entries:
            if entry.st_mode is None or not stat.S_ISREG(entry.st_mode):
                continue
            if not any(fnmatch.fnmatchcase(entry.filename.lower(), pattern) for pattern in self.patterns):
                continue
            size, mtime = entry.st_size or 0, entry.st_mtime or 0
            if size == 0 or mtime > settled_before:
                continue  # still being written, perhaps: the next run takes it
            path = posixpath.join(self.folder, entry.filename)
            if size > limit:
                logger.warning("SFTP collector: %s is larger than %d bytes; not collected.", path, limit)
                continue
            found.append(
                DocumentRef(
                    key=source_key(path=path, size=size, mtime=mtime),
                    file_name=entry.filename,
                    issued_at=datetime.fromtimestamp(mtime, tz=UTC),
                    extra={"path": path, "size": size, "mtime": mtime},
                )
            )
        found.sort(key=lambda ref: (ref.extra["mtime"], ref.file_name))
        return found

    def download(self, ref: DocumentRef) -> Downloaded:
        path, size, mtime = ref.extra["path"], ref.extra["size"], ref.extra["mtime"]
        try:
            now = self.sftp.stat(path)
            if (now.st_size, now.st_mtime) != (size, mtime):
                raise TransientError(f"The file {path} changed since it was listed; it is collected next time.")
            with self.sftp.open(path, "rb") as file:
                file.prefetch(size)
                data = file.read(settings.EXTRACTION_MAX_BYTES + 1)
        except (OSError, EOFError, paramiko.SSHException) as error:
            raise self._fail(f"reading the file {path}", error) from error
        if len(data) != size:
            raise TransientError(f"The file {path} changed while it was read; it is collected next time.")
        return Downloaded(data=data, mimetype=mimetype_of(data, ref.file_name))

    def finish(self, collected: list[DocumentRef]) -> None:
        if self.after != "move_to_done" or not collected:
            return
        done = posixpath.join(self.folder, DONE_FOLDER)
        try:
            try:
                self.sftp.stat(done)
            except FileNotFoundError:
                self.sftp.mkdir(done)
            for ref in collected:
                self._move(ref.extra["path"], done)
        except (OSError, EOFError, paramiko.SSHException) as error:
            raise self._fail(f"moving the collected files to {done}", error) from error

    def _move(self, path: str, done: str) -> None:
        name = posixpath.basename(path)
        stem, extension = posixpath.splitext(name)
        for attempt in range(1, 1000):
            # SFTP's rename never replaces a file: a name already in `done` gets a number.
            target = posixpath.join(done, name if attempt == 1 else f"{stem} ({attempt}){extension}")
            try:
                self.sftp.stat(target)
            except FileNotFoundError:
                break
        try:
            self.sftp.rename(path, target)
        except FileNotFoundError:
            logger.info("SFTP collector: %s was gone before it could be moved to %s.", path, done)

    def close(self) -> None:
        self.sftp.close()
        self.transport.close()


class SftpCollector(Collector):
    key = "sftp"
    name = {"en": "Folder over SFTP", "fr": "Dossier SFTP"}
    description = {
        "en": "Collects the invoices put in a folder of an SFTP server (PDF, images, e-invoice XML).",
        "fr": "Collecte les factures déposées dans un dossier d'un serveur SFTP (PDF, images, XML de facture "
        "électronique).",
    }
    params = (
        Param(
            name="host",
            type="text",
            label={"en": "Server", "fr": "Serveur"},
            placeholder={"en": "sftp.example.com", "fr": "sftp.exemple.fr"},
        ),
        Param(name="port", type="number", label={"en": "Port", "fr": "Port"}, placeholder={"en": "22"}, default=22),
        Param(
            name="host_key",
            type="textarea",
            label={"en": "Server host key", "fr": "Clé d'hôte du serveur"},
            placeholder={
                "en": "SHA256:… fingerprint, or the lines `ssh-keyscan -p 22 sftp.example.com` prints",
                "fr": "Empreinte SHA256:…, ou les lignes qu'affiche `ssh-keyscan -p 22 sftp.exemple.fr`",
            },
        ),
        Param(name="user", type="text", label={"en": "User", "fr": "Utilisateur"}),
        Param(
            name="password",
            type="password",
            label={"en": "Password", "fr": "Mot de passe"},
            placeholder={"en": "A password or a private key", "fr": "Un mot de passe ou une clé privée"},
            mandatory=False,
            secret=True,
        ),
        Param(
            name="private_key",
            type="textarea",
            label={"en": "Private key", "fr": "Clé privée"},
            placeholder={
                "en": "-----BEGIN OPENSSH PRIVATE KEY----- … (Ed25519, ECDSA or RSA, without a passphrase)",
                "fr": "-----BEGIN OPENSSH PRIVATE KEY----- … (Ed25519, ECDSA ou RSA, sans phrase de passe)",
            },
            mandatory=False,
            secret=True,
        ),
        Param(
            name="path",
            type="text",
            label={"en": "Folder", "fr": "Dossier"},
            placeholder={"en": "/invoices", "fr": "/factures"},
            default="/",
        ),
        Param(
            name="pattern",
            type="text",
            label={"en": "File names", "fr": "Noms de fichiers"},
            placeholder={"en": DEFAULT_PATTERN},
            default=DEFAULT_PATTERN,
        ),
        Param(
            name="after",
            type="select",
            label={"en": "After collecting", "fr": "Après la collecte"},
            default="leave",
            choices=(
                ("leave", {"en": "Leave the files", "fr": "Laisser les fichiers"}),
                ("move_to_done", {"en": "Move them to a “done” folder", "fr": "Les déplacer dans un dossier « done »"}),
            ),
        ),
    )

    def clean_params(self, given: dict[str, Any]) -> dict[str, Any]:
        cleaned = super().clean_params(given)
        if not cleaned.get("password") and not cleaned.get("private_key"):
            raise ValueError("params.password: a password or a private key is required.")
        if not 0 < cleaned["port"] < 65536:
            raise ValueError("params.port: a port number, from 1 to 65535.")
        try:
            cleaned["host_key"] = "\n".join(host_keys_parse(cleaned["host_key"]))
        except ValueError as error:
            raise ValueError(f"params.host_key: {error}") from None
        if cleaned.get("private_key"):
            try:
                private_key_load(cleaned["private_key"])
            except ValueError as error:
                raise ValueError(f"params.private_key: {error}") from None
        try:
            patterns_parse(cleaned["pattern"])
        except ValueError as error:
            raise ValueError(f"params.pattern: {error}") from None
        return cleaned

    def open(self, params: dict[str, Any], *, two_factor: TwoFactorPrompt) -> Session:
        host, port, user = params["host"], int(params.get("port") or 22), params["user"]
        where = f"{host}:{port}"
        try:
            expected = host_keys_parse(params["host_key"])
        except ValueError:
            raise CollectorError("The server's host key in this credential cannot be read; enter it again.") from None
        try:
            sock = socket.create_connection((host, port), timeout=TIMEOUT_SECONDS)
        except socket.gaierror:
            raise TransientError(f"The SFTP server {host} cannot be found (DNS).") from None
        except TimeoutError:
            raise TransientError(f"The SFTP server {where} did not answer in {TIMEOUT_SECONDS} seconds.") from None
        except OSError as error:
            raise TransientError(f"Cannot connect to the SFTP server {where}: {error.strerror or error}.") from None
        transport = paramiko.Transport(sock)
        try:
            return self._open(transport, params, where=where, user=user, expected=expected)
        except BaseException:
            transport.close()
            raise

    def _open(
        self, transport: paramiko.Transport, params: dict[str, Any], *, where: str, user: str, expected: list[str]
    ) -> SftpSession:
        transport.banner_timeout = transport.handshake_timeout = transport.auth_timeout = TIMEOUT_SECONDS
        if all(" " in entry for entry in expected):
            types = {entry.split()[0] for entry in expected}
            # Every key the user gave has its type: negotiate one of those, not another the server has.
            options = transport.get_security_options()
            wanted = {algorithm for key_type in types for algorithm in HOST_KEY_ALGORITHMS[key_type]}
            offered = [algorithm for algorithm in options.key_types if algorithm in wanted]
            if offered:
                options.key_types = offered
        try:
            transport.start_client(timeout=TIMEOUT_SECONDS)
        except (paramiko.SSHException, EOFError, OSError) as error:
            raise TransientError(f"The SFTP server {where} did not complete the SSH handshake ({error}).") from None
        # Checked before logging in: a password is never sent to a server that is not the trusted one.
        server_key = transport.get_remote_server_key()
        if server_key.fingerprint not in {entry.split()[-1] for entry in expected}:
            raise CollectorError(
                f"The SFTP server {where} presented the host key {server_key.get_name()} {server_key.fingerprint}, "
                "which is not the one this credential trusts. If you are sure this is your server, "
                f"enter {server_key.fingerprint} as its host key."
            )
        self._authenticate(transport, params, where=where, user=user)
        try:
            sftp = paramiko.SFTPClient.from_transport(transport)
        except (paramiko.SSHException, EOFError, OSError) as error:
            raise CollectorError(f"The server {where} does not offer SFTP to {user} ({error}).") from None
        if sftp is None:
            raise CollectorError(f"The server {where} does not offer SFTP to {user}.")
        sftp.get_channel().settimeout(TIMEOUT_SECONDS)  # type: ignore[union-attr]
        return SftpSession(transport=transport, sftp=sftp, params=params)

    def _authenticate(self, transport: paramiko.Transport, params: dict[str, Any], *, where: str, user: str) -> None:
        """Logs in with the key, then the password, whichever the credential has. Messages never show either."""
        refused = f"The SFTP server {where} refused the login of {user}"
        reasons = []
        try:
            if params.get("private_key"):
                try:
                    key = private_key_load(params["private_key"])
                except ValueError as error:
                    raise CollectorError(f"The private key of this credential: {error}") from None
                try:
                    transport.auth_publickey(user, key)
                except paramiko.BadAuthenticationType as error:
                    reasons.append(f"it takes no key, only {', '.join(error.allowed_types)}")
                except paramiko.AuthenticationException:
                    reasons.append("the key was refused")
                if transport.is_authenticated():
                    return
            if params.get("password"):
                try:
                    transport.auth_password(user, params["password"])
                except paramiko.BadAuthenticationType as error:
                    reasons.append(f"it takes no password, only {', '.join(error.allowed_types)}")
                except paramiko.AuthenticationException:
                    reasons.append("the password was refused")
        except (paramiko.SSHException, EOFError, OSError):
            raise TransientError(f"The SFTP server {where} stopped answering during the login.") from None
        if not transport.is_authenticated():
            raise LoginFailed(f"{refused}: {'; '.join(reasons) or 'no password or key to log in with'}.")


register(SftpCollector())
