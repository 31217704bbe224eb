"""The build and deploy layer's own rules, checked without Docker: every fact an image or a deploy
needs has one owner (scripts/check-facts.py), and the RDS CA bundle's lock file records a bundle
on first use and stops on a changed one, naming the certificates added and removed."""
import os
import shutil
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
BIN = os.environ.get("TICTACTOE_BIN", os.path.join(ROOT, ".build/release/tictactoe"))


def run(*args, check=True):
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_every_image_and_deploy_fact_has_one_owner():
    out = run("python3", "scripts/check-facts.py", BIN).stdout
    assert out.splitlines()[-1].startswith("every fact has one owner (13 facts, ")
    assert "copy:" not in out


def test_the_fact_check_finds_a_second_definition(tmp_path):
    """A copy of the binary's path in a tracked script is reported with its file and line (checked
    in a copy of the tracked tree, so this one stays as it is)."""
    copy = tmp_path / "tree"
    for path in run("git", "ls-files").stdout.split():
        if os.path.isfile(os.path.join(ROOT, path)):
            os.makedirs(copy / os.path.dirname(path), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, path), copy / path)
    (copy / "scripts" / "serve-it.sh").write_text("#!/bin/sh\nexec /usr/local/bin/tictactoe serve\n")
    subprocess.run(["git", "init", "-q", str(copy)], check=True)
    subprocess.run(["git", "-C", str(copy), "add", "-A"], check=True)
    result = run("python3", str(copy / "scripts/check-facts.py"), BIN, check=False)
    assert result.returncode == 1
    assert "    copy: scripts/serve-it.sh:2: exec /usr/local/bin/tictactoe serve" in result.stdout
    assert "binary path" in result.stdout


def certificate(folder, name):
    key, pem = os.path.join(folder, f"{name}.key"), os.path.join(folder, f"{name}.pem")
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-keyout", key, "-out", pem,
        "-subj", f"/O=test/CN={name}")
    return open(pem).read()


def test_the_rds_bundle_is_locked_on_first_use_and_a_changed_bundle_names_what_changed(tmp_path):
    first, second, third = (certificate(str(tmp_path), name) for name in ("Region One CA", "Region Two CA", "Region Three CA"))
    bundle, lock = tmp_path / "bundle.pem", tmp_path / "rds-ca-bundle.lock"
    bundle.write_text(first + second)
    recorded = run("python3", "scripts/build/rds-ca-lock.py", str(bundle), str(lock), "--source", "https://example.test/b.pem")
    sha = recorded.stdout.strip()
    assert len(sha) == 64
    assert f"rds-ca-bundle: recorded 2 certificates (SHA-256 {sha}) from https://example.test/b.pem in {lock}; commit it" in recorded.stderr
    text = lock.read_text()
    assert f"sha256 {sha}\n" in text and "source https://example.test/b.pem\n" in text
    lines = [line for line in text.splitlines() if line.startswith("certificate ")]
    assert [line.rsplit(" subject ", 1)[1] for line in lines] == ["CN=Region One CA,O=test", "CN=Region Two CA,O=test"]
    # The same bundle again: the pinned SHA-256, the lock untouched.
    assert run("python3", "scripts/build/rds-ca-lock.py", str(bundle), str(lock), "--source", "x").stdout.strip() == sha
    assert lock.read_text() == text
    # Amazon retires one authority and adds another.
    bundle.write_text(first + third)
    changed = run("python3", "scripts/build/rds-ca-lock.py", str(bundle), str(lock), "--source", "https://example.test/b.pem", check=False)
    assert changed.returncode == 1 and changed.stdout == ""
    added = [line for line in changed.stderr.splitlines() if line.startswith("  added:")]
    removed = [line for line in changed.stderr.splitlines() if line.startswith("  removed:")]
    assert len(added) == 1 and added[0].endswith("subject CN=Region Three CA,O=test")
    assert removed == [f"  removed: {lines[1][len('certificate '):]}"]
    assert lock.read_text() == text


def test_a_bundle_without_certificates_is_refused(tmp_path):
    bundle = tmp_path / "bundle.pem"
    bundle.write_text("<html>Access denied</html>\n")
    result = run("python3", "scripts/build/rds-ca-lock.py", str(bundle), str(tmp_path / "lock"), "--source", "https://x.test", check=False)
    assert result.returncode != 0 and "holds no PEM certificate" in result.stderr
    assert not (tmp_path / "lock").exists()
