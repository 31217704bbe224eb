#!/usr/bin/env python3
"""Keeps Amazon RDS's CA bundle pinned, as a lock file pins dependencies.

Usage: scripts/build/rds-ca-lock.py BUNDLE LOCK --source URL

The first time (no LOCK), records the bundle in LOCK: its SHA-256 and, one line each, every
certificate's SHA-256 fingerprint, expiry and subject, and says to commit it. Later, a bundle whose
SHA-256 is the locked one passes; any other stops, listing the certificates added and removed, so
that a person decides (and deletes LOCK to record the new bundle). Prints the pinned SHA-256 on
standard output; everything else goes to standard error. Needs the openssl command."""
import argparse
import hashlib
import os
import re
import subprocess
import sys

PEM = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


def certificates(pem):
    """(fingerprint, expiry, subject) of every certificate in the PEM bytes, in file order."""
    found = []
    for block in PEM.findall(pem):
        out = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-enddate", "-subject", "-nameopt", "RFC2253"],
                             input=block, capture_output=True, check=True).stdout.decode()
        fields = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        fingerprint = next(v for k, v in fields.items() if k.lower().endswith("fingerprint")).replace(":", "").lower()
        found.append((fingerprint, fields.get("notAfter", "?"), fields.get("subject", "?")))
    return found


def render(sha, source, certs):
    lines = [
        "# Amazon RDS's CA bundle that PostgreSQL images carry, recorded by make image at its first use.",
        "# A different bundle stops the build and lists the certificates added and removed: check them",
        "# (curl -fsSL URL | sha256sum on a machine you trust), then delete this file to record the new one.",
        f"source {source}",
        f"sha256 {sha}",
    ]
    lines += [f"certificate {fingerprint} expires {expiry} subject {subject}" for fingerprint, expiry, subject in certs]
    return "\n".join(lines) + "\n"


def parse(text):
    sha, certs = None, []
    for line in text.splitlines():
        if line.startswith("sha256 "):
            sha = line.split()[1]
        elif line.startswith("certificate "):
            certs.append(line[len("certificate "):])
    return sha, certs


def main():
    parser = argparse.ArgumentParser(description="Pin Amazon RDS's CA bundle in a lock file.")
    parser.add_argument("bundle")
    parser.add_argument("lock")
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    try:
        pem = open(args.bundle, "rb").read()
    except OSError as error:
        sys.exit(f"error: cannot read the downloaded RDS CA bundle {args.bundle}: {error.strerror}")
    sha = hashlib.sha256(pem).hexdigest()
    try:
        certs = certificates(pem)
    except (OSError, subprocess.CalledProcessError) as error:
        sys.exit(f"error: {args.bundle} (from {args.source}) could not be read as PEM certificates with openssl: {error}")
    if not certs:
        sys.exit(f"error: {args.bundle} (from {args.source}, SHA-256 {sha}) holds no PEM certificate")
    if not os.path.exists(args.lock):
        with open(args.lock, "w") as f:
            f.write(render(sha, args.source, certs))
        print(f"rds-ca-bundle: recorded {len(certs)} certificates (SHA-256 {sha}) from {args.source} in {args.lock}; commit it", file=sys.stderr)
        for fingerprint, expiry, subject in certs:
            print(f"  {subject} (expires {expiry})", file=sys.stderr)
        print(sha)
        return 0
    locked_sha, locked = parse(open(args.lock).read())
    if locked_sha == sha:
        print(sha)
        return 0
    now = [line[len("certificate "):] for line in render(sha, args.source, certs).splitlines() if line.startswith("certificate ")]
    added = [c for c in now if c not in locked]
    removed = [c for c in locked if c not in now]
    print(f"error: Amazon RDS's CA bundle from {args.source} changed: SHA-256 {sha}, but {args.lock} records {locked_sha}.", file=sys.stderr)
    for line in added:
        print(f"  added:   {line}", file=sys.stderr)
    for line in removed:
        print(f"  removed: {line}", file=sys.stderr)
    if not added and not removed:
        print("  the same certificates, in another order or encoding", file=sys.stderr)
    print(f"  Check the change, then delete {args.lock} and build again to record the new bundle.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
