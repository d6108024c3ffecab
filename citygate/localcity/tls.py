"""A throwaway TLS certificate for 127.0.0.1, so the local city serves HTTPS as the cluster does.

The key never leaves a temporary folder of this run.  Chromium is told to trust exactly this key by its
SPKI pin (`--ignore-certificate-errors-spki-list`), and Python clients by `cert` as their CA file: no
certificate error is ignored wholesale.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOOPBACK = ipaddress.IPv4Address("127.0.0.1")
VALID_FOR = timedelta(days=1)  # one run's worth: nothing outlives it


@dataclass(frozen=True)
class LocalCertificate:
    cert: Path  # PEM; also the CA file a client verifies the server with
    key: Path  # PEM, unencrypted, mode 0600
    spki_sha256: str  # base64 sha256 of the public key (Chromium's SPKI pin)


def spki_sha256(certificate: x509.Certificate) -> str:
    """base64(sha256(SubjectPublicKeyInfo)): the form Chromium's SPKI list takes."""
    spki = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def self_signed(folder: Path | None = None) -> LocalCertificate:
    """A P-256 certificate for 127.0.0.1 valid for a day, written to `folder` (a new temporary one by default)."""
    folder = folder or Path(tempfile.mkdtemp(prefix="citygate-tls-"))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "citygate local city")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(LOOPBACK)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return LocalCertificate(cert_path, key_path, spki_sha256(certificate))
