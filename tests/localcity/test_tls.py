"""The local city's throwaway certificate: a loopback server presenting it negotiates TLS 1.3 with a client
that trusts nothing but it, and the SPKI pin Chromium gets is the certificate's own key."""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path

from cryptography import x509

from citygate.localcity.tls import self_signed, spki_sha256


def test_a_client_trusting_only_the_certificate_negotiates_tls_1_3(tmp_path: Path) -> None:
    certificate = self_signed(tmp_path)
    assert certificate.key.stat().st_mode & 0o077 == 0  # the private key is the owner's alone
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(certificate.cert, certificate.key)
    client_context = ssl.create_default_context(cafile=str(certificate.cert))
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def serve() -> None:
            connection, _ = listener.accept()
            with server_context.wrap_socket(connection, server_side=True) as tls:
                tls.sendall(b"ok")

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        with (
            socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
            client_context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            assert tls.version() == "TLSv1.3"
            assert tls.recv(2) == b"ok"
        thread.join(timeout=10)


def test_the_pin_is_the_certificates_public_key(tmp_path: Path) -> None:
    certificate = self_signed(tmp_path)
    loaded = x509.load_pem_x509_certificate(certificate.cert.read_bytes())
    assert spki_sha256(loaded) == certificate.spki_sha256
    (tmp_path / "next").mkdir()
    assert self_signed(tmp_path / "next").spki_sha256 != certificate.spki_sha256  # a new key every time
