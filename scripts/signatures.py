#!/usr/bin/env python3
"""Signs pushed images the way cosign does, and checks those signatures, offline, with a sigstore key pair (scripts/sigstore-keygen.py,
`cosign generate-key-pair` or `skopeo generate-sigstore-key`): for each image, a simple-signing
payload naming the repository and the manifest's digest, signed with ECDSA P-256/SHA-256 and stored
as the tag `sha256-<hex>.sig` (cosign's layout, which skopeo, podman and cosign verify). A manifest
list is signed, and so is each image it lists.

`verify` checks the exact digest a reference names today: a signature layer whose payload names
that digest and the repository, and whose ECDSA signature the public key accepts. It refuses an
unsigned image, one signed only by other keys, and a tag moved to content nobody signed.
(Debian 12's skopeo has sigstore signing and checking disabled, hence this script; cosign checks
the same signatures: cosign verify --key KEY.pub --insecure-ignore-tlog=true IMAGE.)

Usage: scripts/signatures.py sign REFERENCE... --key FILE.key --passphrase-file FILE
       scripts/signatures.py verify REFERENCE --key FILE.pub
  REFERENCE: host[:port]/repository:tag or …@sha256:…"""
import argparse
import base64
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from registry import Pushed, RegistryError

PAYLOAD_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"
SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature"
LISTS = ("application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json")


def load_private_key(path, passphrase_file):
    try:
        text = open(path).read()
        passphrase = open(passphrase_file, "rb").read().rstrip(b"\n")
    except OSError as error:
        raise SystemExit(f"error: cannot read {error.filename}: {error.strerror}")
    body = "".join(line for line in text.splitlines() if not line.startswith("-----"))
    if "ENCRYPTED SIGSTORE PRIVATE KEY" not in text and "ENCRYPTED COSIGN PRIVATE KEY" not in text:
        raise SystemExit(f"error: {path} is not an encrypted sigstore/cosign private key (make one with scripts/sigstore-keygen.py)")
    sealed = json.loads(base64.b64decode(body))
    params = sealed["kdf"]["params"]
    secret = hashlib.scrypt(passphrase, salt=base64.b64decode(sealed["kdf"]["salt"]), n=params["N"], r=params["r"],
                            p=params["p"], dklen=32, maxmem=256 * 1024 * 1024)
    try:
        der = SecretBox(secret).decrypt(base64.b64decode(sealed["ciphertext"]), base64.b64decode(sealed["cipher"]["nonce"]))
    except CryptoError:
        raise SystemExit(f"error: the passphrase in {passphrase_file} does not open {path}")
    return serialization.load_der_private_key(der, password=None)


def sign_one(registry, repository, digest, key):
    identity = f"{registry.host}/{repository}"
    payload = json.dumps({
        "critical": {
            "identity": {"docker-reference": identity},
            "image": {"docker-manifest-digest": digest},
            "type": "cosign container image signature",
        },
        "optional": None,
    }, separators=(",", ":")).encode()
    signature = base64.b64encode(key.sign(payload, ec.ECDSA(hashes.SHA256()))).decode()
    payload_digest = registry.put_blob(repository, payload)
    layer = {"mediaType": PAYLOAD_TYPE, "size": len(payload), "digest": payload_digest,
             "annotations": {SIGNATURE_ANNOTATION: signature}}
    tag = digest.replace(":", "-") + ".sig"
    layers = []
    existing = registry.manifest(repository, tag)
    if existing:
        layers = [old for old in json.loads(existing[2]).get("layers", []) if old.get("digest") != payload_digest]
    layers.append(layer)
    config = json.dumps({"architecture": "", "os": "", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [layer["digest"] for layer in layers]}}).encode()
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(config),
                   "digest": registry.put_blob(repository, config)},
        "layers": layers,
    }).encode()
    registry.put_manifest(repository, tag, manifest, "application/vnd.oci.image.manifest.v1+json")
    print(f"signed {identity}@{digest} ({tag})")


def verify(reference, public_key_path):
    """The digest `reference` names, once a signature by the key covers it; SystemExit otherwise."""
    try:
        public_key = serialization.load_pem_public_key(open(public_key_path, "rb").read())
    except (OSError, ValueError) as error:
        raise SystemExit(f"error: VERIFY_KEY={public_key_path} is not a readable PEM public key: {error}")
    pushed = Pushed(reference)
    digest, name = pushed.digest, pushed.name
    if pushed.ref.startswith("sha256:") and pushed.ref != digest:
        raise SystemExit(f"error: the registry answered {reference} with content of digest {digest}")
    moved = "" if pushed.ref.startswith("sha256:") else f" (the tag {pushed.ref} points to it now)"
    signatures = pushed.registry.manifest(pushed.repository, digest.replace(":", "-") + ".sig")
    if not signatures:
        raise SystemExit(f"error: {name}@{digest}{moved} is not signed: no signature in the registry; "
                         "sign what you push with make push SIGNING_KEY=… SIGNING_PASSPHRASE_FILE=…")
    layers = [layer for layer in json.loads(signatures[2]).get("layers", []) if layer.get("mediaType") == PAYLOAD_TYPE]
    for layer in layers:
        payload = pushed.registry.blob(pushed.repository, layer["digest"])
        try:
            critical = json.loads(payload)["critical"]
            named = (critical["image"]["docker-manifest-digest"], critical["identity"]["docker-reference"])
            signature = base64.b64decode(layer.get("annotations", {}).get(SIGNATURE_ANNOTATION, ""))
            public_key.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
        except (ValueError, KeyError, TypeError, InvalidSignature):
            continue
        if named == (digest, name):
            print(f"signature: {name}@{digest}{moved} is signed by {public_key_path}")
            return digest
    raise SystemExit(f"error: {name}@{digest}{moved} is signed, but not by the key {public_key_path} "
                     f"({len(layers)} signature(s) checked): refusing it")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    sign = commands.add_parser("sign", help="sign images and the images of manifest lists")
    sign.add_argument("references", nargs="+")
    sign.add_argument("--key", required=True)
    sign.add_argument("--passphrase-file", required=True)
    check = commands.add_parser("verify", help="check that a key signed the digest a reference names")
    check.add_argument("reference")
    check.add_argument("--key", required=True)
    args = parser.parse_args()
    try:
        if args.command == "verify":
            verify(args.reference, args.key)
            return
        key = load_private_key(args.key, args.passphrase_file)
        for reference in args.references:
            pushed = Pushed(reference)
            sign_one(pushed.registry, pushed.repository, pushed.digest, key)
            if pushed.media_type in LISTS:
                for entry in json.loads(pushed.body).get("manifests", []):
                    sign_one(pushed.registry, pushed.repository, entry["digest"], key)
    except RegistryError as error:
        raise SystemExit(f"error: {error}")


if __name__ == "__main__":
    main()
