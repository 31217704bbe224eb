#!/usr/bin/env python3
"""Checks that every fact an image or a deploy needs is written once: lists each fact, greps the
tracked files for it, and fails when it is defined anywhere but its owner.

Usage: scripts/check-facts.py [TOOL]   (TOOL: a tictactoe binary, default .build/release/tictactoe)

A few places cannot ask the owner, because Docker or IAM read them before anything runs (a
Dockerfile's ENTRYPOINT, a policy document): each such echo is listed below with the fact it
must equal, and is compared with `tictactoe variant facts`. Comment lines, Markdown and tests
that assert a value (Tests/**/test_*.py, the Swift test targets) are not definitions."""
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
DOCKERFILES = ("Dockerfile.amd64", "Dockerfile.arm64")

# name, pattern, owner files, echoes {file: fact key (or None: checked by the named test)}
FACTS = [
    ("builder's Swift version", r"\b6\.2\.3\b", DOCKERFILES, {}),
    ("architecture machine names", r"\"(x86_64|aarch64)\"|\b(x86_64|aarch64)-swift-linux-musl\b|\belf_machine_of\b|\barch_machine\b",
     ("Sources/Config/DeploySettings.swift",), {}),
    ("image tag VARIANT-ARCH", r":\$\{?variant\}?-\$\{?arch|:\$\(VARIANT\)-\$\(ARCH\)|:\{variant\}-\{arch\}|\\\(variant\)-\\\(architecture",
     ("Sources/Deploy/ImageLayout.swift",), {}),
    ("binary path", r"/usr/local/bin/tictactoe\b", ("Sources/Deploy/ImageLayout.swift",), {f: "BINARY_PATH" for f in DOCKERFILES}),
    ("image user", r"\bUSER 65532|\"65532:65532\"", ("Sources/Deploy/ImageLayout.swift",), {f: "IMAGE_USER" for f in DOCKERFILES}),
    ("config path", r"/etc/tictactoe/config\.yaml", ("Sources/Deploy/ImageLayout.swift",), {f: "CONFIG_PATH" for f in DOCKERFILES}),
    ("health check timing", r"HEALTHCHECK --interval|var startPeriodSeconds = \d+", ("Sources/Config/DeploySettings.swift",),
     {f: "HEALTHCHECK" for f in DOCKERFILES}),
    ("RDS CA bundle path", r"/etc/ssl/certs/rds-ca-bundle\.pem", ("Sources/Config/DatabaseSettings.swift",), {}),
    ("RDS CA bundle URL", r"truststore\.pki\.rds\.amazonaws\.com", ("Sources/Config/DatabaseSettings.swift",), {}),
    ("role boundary policy name", r"tictactoe-role-boundary", ("Sources/Deploy/StackNames.swift",),
     {"iam/deployer-policy.json": "ROLE_BOUNDARY"}),
    ("load balancer logical id", r"(= |getAtt\(|ref\(|\"Ref\": ?|\[)[\"']LoadBalancer[\"']", ("Sources/Deploy/StackNames.swift",), {}),
    ("repository name default", r"REPO \?= \w+|/tictactoe\}\"|static let repository = ", ("Sources/Deploy/ImageLayout.swift",), {"Makefile": "REPOSITORY_NAME"}),
    ("the list of variants", r"classic gomoku perfect", ("variants/",), {}),
]


def tracked():
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    skipped = re.compile(r"(\.md$|^Tests/\w+Tests/|^Tests/.*/test_[^/]*\.py$|^scripts/check-facts\.py$)")
    return [path for path in out if not skipped.search(path) and os.path.isfile(os.path.join(ROOT, path))]


def definitions(path, pattern):
    try:
        lines = open(os.path.join(ROOT, path), encoding="utf-8").read().splitlines()
    except UnicodeDecodeError:
        return []
    found = []
    for number, line in enumerate(lines, 1):
        code = line.strip()
        if code.startswith(("#", "//", "///", "*")):
            continue
        if re.search(pattern, line):
            found.append((number, code))
    return found


def facts_of(tool):
    out = subprocess.run([tool, "variant", "facts", os.path.join(ROOT, "variants/classic.yaml")], capture_output=True, text=True, check=True).stdout
    return {key: (shlex.split(value) or [""])[0] for key, value in (line.split("=", 1) for line in out.splitlines())}


def echo_holds(path, key, facts):
    """Whether the echo in `path` says what fact `key` says."""
    text = open(os.path.join(ROOT, path)).read()
    if key == "HEALTHCHECK":
        wanted = (f"HEALTHCHECK --interval={facts['HEALTHCHECK_INTERVAL_S']}s --timeout={facts['HEALTHCHECK_TIMEOUT_S']}s "
                  f"--start-period={facts['HEALTHCHECK_START_PERIOD_S']}s --retries={facts['HEALTHCHECK_RETRIES']}")
        return wanted in text and f'CMD ["{facts["BINARY_PATH"]}", "healthcheck"]' in text
    if key == "BINARY_PATH":
        return f'ENTRYPOINT ["{facts[key]}"]' in text
    if key == "IMAGE_USER":
        return f"\nUSER {facts[key]}\n" in text
    if key == "CONFIG_PATH":
        return f"\nENV {facts['CONFIG_ENV']}={facts[key]}\n" in text
    if key == "REPOSITORY_NAME":
        return f"\nREPO ?= {facts[key]}\n" in text
    return facts[key] in text


def main():
    tool = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/release/tictactoe")
    facts = facts_of(tool)
    files = tracked()
    failed = False
    print(f"{'fact':30} {'owner':42} {'defs':>4} {'echoes':>6}  copies")
    for name, pattern, owners, echoes in FACTS:
        defined, echoed, copies = 0, 0, []
        for path in files:
            found = definitions(path, pattern)
            if not found:
                continue
            if any(path == owner or (owner.endswith("/") and path.startswith(owner)) for owner in owners):
                defined += 1
            elif path in echoes:
                echoed += 1
                if not echo_holds(path, echoes[path], facts):
                    copies.append(f"{path}: does not say what {echoes[path]} says ({facts.get(echoes[path], '')})")
            else:
                copies += [f"{path}:{number}: {code[:100]}" for number, code in found]
        # Identical Dockerfiles are one body (a test checks they differ in their ARCH line only).
        expected = 1 if owners != DOCKERFILES else len(DOCKERFILES)
        if owners == ("variants/",):
            expected = defined
        ok = defined == expected and not copies
        failed |= not ok
        print(f"{name:30} {', '.join(owners)[:42]:42} {defined:>4} {echoed:>6}  {'none' if not copies else len(copies)}")
        for copy in copies:
            print(f"    copy: {copy}")
        if defined != expected:
            print(f"    the owner defines it {defined} times, not {expected}")
    if failed:
        print("error: a fact is written outside its owner: ask `tictactoe variant facts` (or the owner) instead", file=sys.stderr)
        return 1
    print(f"every fact has one owner ({len(FACTS)} facts, {len(files)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
