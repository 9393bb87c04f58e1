"""The "Folder over SFTP" collector against a real OpenSSH server (`sftp_server.py`, `.ci/run`)."""

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from collecting.collectors import collector_get
from collecting.collectors.base import CollectorError, DocumentRef, Downloaded, LoginFailed, TransientError
from collecting.collectors.sftp import SftpCollector, fingerprint, host_keys_parse
from invoisx.tests.processes import free_port

# The `sftp_server` and `sftp_folder` fixtures.

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
XML = b'<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'

COLLECTOR = SftpCollector()


def no_second_factor() -> str | None:
    raise AssertionError("the SFTP collector never asks for a second factor")


def run(params: dict) -> list[tuple[DocumentRef, Downloaded]]:
    """One collection as the run does it: open, list, download each, finish, close."""
    session = COLLECTOR.open(COLLECTOR.clean_params(params), two_factor=no_second_factor)
    try:
        found = [(ref, session.download(ref)) for ref in session.documents(since=None)]
        session.finish([ref for ref, _ in found])
    finally:
        session.close()
    return found


def listed(params: dict) -> list[DocumentRef]:
    session = COLLECTOR.open(COLLECTOR.clean_params(params), two_factor=no_second_factor)
    try:
        return list(session.documents(since=None))
    finally:
        session.close()


def put_two_invoices_and_a_note(folder) -> None:
    folder.put("invoice-2026-001.pdf", PDF)
    folder.put("invoice-2026-002.XML", XML)
    folder.put("notes.txt", b"not an invoice")


def test_it_is_registered_with_labels_in_english_and_french():
    collector = collector_get("sftp")
    assert isinstance(collector, SftpCollector)
    english, french = collector.describe("en"), collector.describe("fr")
    assert (english["name"], french["name"]) == ("Folder over SFTP", "Dossier SFTP")
    assert [param["name"] for param in english["params"]] == [
        "host",
        "port",
        "host_key",
        "user",
        "password",
        "private_key",
        "path",
        "pattern",
        "after",
    ]
    secret = {param["name"] for param in english["params"] if param["secret"]}
    assert secret == {"password", "private_key"}
    assert {param["name"]: param["label"] for param in french["params"]}["after"] == "Après la collecte"


def test_it_collects_the_matching_files_with_their_bytes(sftp_folder):
    put_two_invoices_and_a_note(sftp_folder)

    found = run(sftp_folder.params())

    assert sorted((ref.file_name, downloaded.data, downloaded.mimetype) for ref, downloaded in found) == [
        ("invoice-2026-001.pdf", PDF, "application/pdf"),
        ("invoice-2026-002.XML", XML, "application/xml"),
    ]
    assert all(ref.issued_at is not None and ref.issued_at.tzinfo is not None for ref, _ in found)


def test_after_move_to_done_it_moves_the_collected_files_and_the_next_run_finds_nothing(sftp_folder):
    put_two_invoices_and_a_note(sftp_folder)
    params = sftp_folder.params(after="move_to_done")

    assert len(run(params)) == 2

    assert sftp_folder.names() == ["done", "notes.txt"]
    assert sftp_folder.names("done") == ["invoice-2026-001.pdf", "invoice-2026-002.XML"]
    assert sftp_folder.read("done/invoice-2026-001.pdf") == PDF
    assert run(params) == []


def test_moving_to_done_never_replaces_a_file_already_there(sftp_folder):
    params = sftp_folder.params(after="move_to_done")
    sftp_folder.put("invoice.pdf", PDF)
    run(params)
    sftp_folder.put("invoice.pdf", PDF + b"% the second one\n")

    run(params)

    assert sftp_folder.names("done") == ["invoice (2).pdf", "invoice.pdf"]
    assert sftp_folder.read("done/invoice.pdf") == PDF


def test_after_leave_it_keeps_the_files_under_keys_that_stay_the_same(sftp_folder):
    put_two_invoices_and_a_note(sftp_folder)
    params = sftp_folder.params(after="leave")

    first = {ref.key for ref, _ in run(params)}
    second = {ref.key for ref, _ in run(params)}

    assert sftp_folder.names() == ["invoice-2026-001.pdf", "invoice-2026-002.XML", "notes.txt"]
    assert len(first) == 2
    assert second == first


def test_a_file_replaced_under_the_same_name_gets_a_new_key(sftp_folder):
    params = sftp_folder.params()
    sftp_folder.put("invoice.pdf", PDF, age_seconds=7200)
    [before] = listed(params)

    sftp_folder.put("invoice.pdf", PDF, age_seconds=3600)  # same bytes, written later
    [same_size] = listed(params)
    sftp_folder.put("invoice.pdf", PDF + b"%\n", age_seconds=3600)
    [other_size] = listed(params)

    assert len({before.key, same_size.key, other_size.key}) == 3


def test_a_file_modified_moments_ago_is_left_for_the_next_run(sftp_folder):
    sftp_folder.put("uploading.pdf", PDF, age_seconds=0)
    params = sftp_folder.params()

    assert listed(params) == []

    sftp_folder.put("uploading.pdf", PDF)
    assert [ref.file_name for ref in listed(params)] == ["uploading.pdf"]


def test_files_over_the_size_limit_and_empty_files_are_not_listed(sftp_folder, settings):
    settings.EXTRACTION_MAX_BYTES = len(PDF)
    sftp_folder.put("fits.pdf", PDF)
    sftp_folder.put("too-large.pdf", PDF + b"%\n")
    sftp_folder.put("empty.pdf", b"")

    assert [ref.file_name for ref in listed(sftp_folder.params())] == ["fits.pdf"]


def test_it_lists_the_folder_but_not_its_subfolders(sftp_folder):
    sftp_folder.sftp.mkdir(f"{sftp_folder.path}/archive.pdf")
    sftp_folder.sftp.mkdir(f"{sftp_folder.path}/2025")
    sftp_folder.put("2025/old.pdf", PDF)
    sftp_folder.put("new.pdf", PDF)

    assert [ref.file_name for ref in listed(sftp_folder.params())] == ["new.pdf"]


def test_the_pattern_takes_several_globs_and_ignores_case(sftp_folder):
    sftp_folder.put("A.PDF", PDF)
    sftp_folder.put("b.xml", XML)
    sftp_folder.put("c.pdf", PDF)

    names = [ref.file_name for ref in listed(sftp_folder.params(pattern="a.*; *.XML"))]

    assert sorted(names) == ["A.PDF", "b.xml"]


def test_it_logs_in_with_a_private_key_alone(sftp_folder, sftp_server):
    sftp_folder.put("invoice.pdf", PDF)

    found = run(sftp_folder.params(password=None, private_key=sftp_server.private_key))

    assert [downloaded.data for _, downloaded in found] == [PDF]


def test_a_wrong_password_is_a_login_failure_that_does_not_show_it(sftp_folder):
    wrong = "not-the-password-4711"

    with pytest.raises(LoginFailed) as raised:
        COLLECTOR.open(COLLECTOR.clean_params(sftp_folder.params(password=wrong)), two_factor=no_second_factor)

    assert "refused the login of invoisx-sftp" in str(raised.value)
    assert wrong not in str(raised.value)
    assert raised.value.__cause__ is None
    assert raised.value.__context__ is None


def test_a_key_the_server_does_not_know_is_a_login_failure(sftp_folder):
    stranger = (
        ed25519.Ed25519PrivateKey.generate()
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption())
        .decode()
    )

    with pytest.raises(LoginFailed) as raised:
        COLLECTOR.open(
            COLLECTOR.clean_params(sftp_folder.params(password=None, private_key=stranger)),
            two_factor=no_second_factor,
        )

    assert "the key was refused" in str(raised.value)
    assert "PRIVATE KEY" not in str(raised.value)


def test_a_server_with_another_host_key_is_refused_with_its_real_fingerprint(sftp_folder, sftp_server):
    trusted = fingerprint(b"\x00\x00\x00\x0bssh-ed25519" + b"\x00\x00\x00\x20" + bytes(32))

    with pytest.raises(CollectorError) as raised:
        COLLECTOR.open(COLLECTOR.clean_params(sftp_folder.params(host_key=trusted)), two_factor=no_second_factor)

    assert not isinstance(raised.value, LoginFailed | TransientError)
    assert sftp_server.fingerprint in str(raised.value)
    assert sftp_server.password not in str(raised.value)


def test_the_host_key_may_be_given_as_ssh_keyscan_prints_it(sftp_folder, sftp_server):
    transport, _ = sftp_server.connect()
    key = transport.get_remote_server_key()
    transport.close()
    keyscan = (
        f"# {sftp_server.host}:{sftp_server.port} SSH-2.0-OpenSSH\n"
        f"[{sftp_server.host}]:{sftp_server.port} {key.get_name()} {key.get_base64()}\n"
    )
    sftp_folder.put("invoice.pdf", PDF)

    assert len(run(sftp_folder.params(host_key=keyscan))) == 1


def test_a_closed_port_is_a_transient_error(sftp_folder):
    params = COLLECTOR.clean_params(sftp_folder.params(port=free_port()))

    with pytest.raises(TransientError):
        COLLECTOR.open(params, two_factor=no_second_factor)


def test_a_credential_needs_a_password_or_a_private_key():
    params = {"host": "sftp.example.com", "user": "u", "host_key": "SHA256:" + "A" * 43}

    with pytest.raises(ValueError, match=r"params\.password: a password or a private key is required"):
        COLLECTOR.clean_params(params)
    assert COLLECTOR.clean_params({**params, "password": "p"})["after"] == "leave"


def test_a_credential_needs_the_server_host_key():
    with pytest.raises(ValueError, match=r"params\.host_key: required"):
        COLLECTOR.clean_params({"host": "sftp.example.com", "user": "u", "password": "p"})
    with pytest.raises(ValueError, match=r"params\.host_key: not a host key"):
        COLLECTOR.clean_params({"host": "sftp.example.com", "user": "u", "password": "p", "host_key": "yes"})


def test_host_keys_are_kept_as_sha256_fingerprints():
    blob = b"\x00\x00\x00\x0bssh-ed25519" + b"\x00\x00\x00\x20" + bytes(range(32))
    line = f"sftp.example.com ssh-ed25519 {base64.b64encode(blob).decode()}"

    assert host_keys_parse(f"{line}\n{fingerprint(b'other')}") == [
        f"ssh-ed25519 {fingerprint(blob)}",
        fingerprint(b"other"),
    ]


def test_a_private_key_that_cannot_be_read_is_refused_without_showing_it():
    garbage = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----"
    params = {"host": "h", "user": "u", "host_key": "SHA256:" + "A" * 43, "private_key": garbage}

    with pytest.raises(ValueError, match=r"^params\.private_key: not a private key") as raised:
        COLLECTOR.clean_params(params)

    assert "c2VjcmV0" not in str(raised.value)


def test_a_private_key_with_a_passphrase_is_refused():
    protected = (
        ed25519.Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.BestAvailableEncryption(b"passphrase"),
        )
        .decode()
    )
    params = {"host": "h", "user": "u", "host_key": "SHA256:" + "A" * 43, "private_key": protected}

    with pytest.raises(ValueError, match="protected by a passphrase"):
        COLLECTOR.clean_params(params)


def test_a_folder_that_does_not_exist_fails_the_run_saying_so(sftp_folder):
    session = COLLECTOR.open(
        COLLECTOR.clean_params(sftp_folder.params(path="/no/such/folder")), two_factor=no_second_factor
    )

    with pytest.raises(CollectorError, match="no such file or folder while listing the folder /no/such/folder"):
        session.documents(since=None)
    session.close()


def test_a_folder_where_done_cannot_be_made_fails_the_move_saying_so(sftp_folder):
    sftp_folder.put("invoice.pdf", PDF)
    sftp_folder.sftp.chmod(sftp_folder.path, 0o555)
    try:
        with pytest.raises(CollectorError, match="denied the permission for moving the collected files"):
            run(sftp_folder.params(after="move_to_done"))
    finally:
        sftp_folder.sftp.chmod(sftp_folder.path, 0o755)

    assert sftp_folder.names() == ["invoice.pdf"]
