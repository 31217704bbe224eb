#!/usr/bin/env python3
"""Makes a sigstore (cosign-format) signing key pair offline, for `make push SIGNING_KEY=…`:
PREFIX.key (an ECDSA P-256 key, PKCS#8, encrypted with the passphrase in PASSPHRASE_FILE as cosign
does: scrypt N=32768 r=8 p=1 and NaCl secretbox) and PREFIX.pub (its public key, PEM).

`skopeo generate-sigstore-key` and `cosign generate-key-pair` make the same files; Debian 12's
skopeo (1.9) has no such command. cosign, skopeo and this project's `make verify` read them alike.

Usage: scripts/sigstore-keygen.py PREFIX PASSPHRASE_FILE"""
import base64
import hashlib
import json
import os
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from nacl.secret import SecretBox


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    prefix, passphrase_file = sys.argv[1], sys.argv[2]
    for path in (prefix + ".key", prefix + ".pub"):
        if os.path.exists(path):
            sys.exit(f"error: {path} exists; remove it or choose another PREFIX")
    try:
        passphrase = open(passphrase_file, "rb").read().rstrip(b"\n")
    except OSError as error:
        sys.exit(f"error: cannot read the passphrase file {passphrase_file}: {error.strerror}")
    key = ec.generate_private_key(ec.SECP256R1())
    pkcs8 = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    salt, nonce = os.urandom(32), os.urandom(24)
    secret = hashlib.scrypt(passphrase, salt=salt, n=32768, r=8, p=1, dklen=32, maxmem=64 * 1024 * 1024)
    ciphertext = SecretBox(secret).encrypt(pkcs8, nonce).ciphertext
    encoded = lambda data: base64.b64encode(data).decode()
    sealed = json.dumps({
        "kdf": {"name": "scrypt", "params": {"N": 32768, "r": 8, "p": 1}, "salt": encoded(salt)},
        "cipher": {"name": "nacl/secretbox", "nonce": encoded(nonce)},
        "ciphertext": encoded(ciphertext),
    }).encode()
    lines = [encoded(sealed)[i:i + 64] for i in range(0, len(encoded(sealed)), 64)]
    pem = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
    descriptor = os.open(prefix + ".key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as f:
        f.write(pem)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with open(prefix + ".pub", "wb") as f:
        f.write(public)
    print(f"wrote {prefix}.key (private, encrypted; keep it secret) and {prefix}.pub (public: VERIFY_KEY)")


if __name__ == "__main__":
    main()
