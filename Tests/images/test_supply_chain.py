"""What makes images trustworthy to deploy: an SPDX SBOM per image, made from what the build
recorded and attached beside the image in the registry; signatures on what `make push` pushes;
`make verify-signature` and `make deploy` refusing an unsigned image, one signed by another key
and a tag moved to other content; `make scan`; and the release workflow that runs these targets."""
import base64
import hashlib
import json
import os
import re
import shutil
import urllib.request

import pytest
from conftest import REPO, ROOT, docker, make, sh

ACCOUNT = "123456789012"


def registry_get(registry, repository, path, accept=None):
    request = urllib.request.Request(f"http://{registry}/v2/{repository}/{path}")
    if accept:
        request.add_header("Accept", accept)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def digest_of_tag(registry, tag):
    request = urllib.request.Request(f"http://{registry}/v2/{REPO}/manifests/{tag}", method="HEAD", headers={"Accept": ", ".join([
        "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"])})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers["Docker-Content-Digest"]


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    passphrase = folder / "passphrase"
    passphrase.write_text("correct horse battery staple\n")
    for name in ("release", "other"):
        sh("python3", "scripts/sigstore-keygen.py", str(folder / name), str(passphrase))
    return folder


def test_each_image_has_a_valid_sbom_made_from_what_the_build_recorded(docker_env, image):
    for variant, arch in (("perfect", "arm64"), ("shared", "arm64"), ("perfect", "amd64")):
        image(variant, arch)
        path = os.path.join(ROOT, f"build/sbom/{variant}-{arch}.spdx.json")
        out = make(docker_env, "sbom", f"VARIANT={variant}", f"ARCH={arch}").stdout
        assert f"sbom: build/sbom/{variant}-{arch}.spdx.json (" in out
        first = open(path, "rb").read()
        # An independent validator of SPDX 2.3.
        validation = sh("pyspdxtools", "-i", path, check=False)
        assert validation.returncode == 0, validation.stdout + validation.stderr
        document = json.loads(first)
        assert document["spdxVersion"] == "SPDX-2.3"
        packages = {p["name"]: p for p in document["packages"]}
        resolved = json.load(open(os.path.join(ROOT, f"build/docker/facts/{variant}/Package.resolved")))["pins"]
        for pin in resolved:
            listed = packages[f"swift-package-{pin['identity']}"]
            assert listed["versionInfo"] == pin["state"]["version"]
            assert listed["downloadLocation"] == f"git+{pin['location']}@{pin['state']['revision']}"
        hummingbird = packages["swift-package-hummingbird"]["externalRefs"][0]["referenceLocator"]
        assert hummingbird == "pkg:swift/github.com/hummingbird-project/hummingbird@2.28.1"
        assert packages["builder-image"]["versionInfo"] == docker_env["BUILDER_IMAGE"]
        assert packages["libyaml"]["versionInfo"] == "0.2.5"
        assert packages["swift-compiler"]["versionInfo"].startswith("6.")
        linked = {r["relatedSpdxElement"] for r in document["relationships"] if r["relationshipType"] == "STATIC_LINK"}
        assert "SPDXRef-libyaml" in linked and len(linked) == len(resolved) + 1
        if variant == "shared":
            bundle = packages["amazon-rds-ca-bundle"]["checksums"][0]["checksumValue"]
            with open(os.path.join(ROOT, "build/test-docker/standin-rds-ca/bundle.pem"), "rb") as f:
                assert bundle == hashlib.sha256(f.read()).hexdigest()
            # The stand-in's bundle comes from a file in the builder: SPDX names no location for it.
            assert packages["amazon-rds-ca-bundle"]["downloadLocation"] == "NOASSERTION"
            assert f"from {docker_env['RDS_CA_BUNDLE_URL']}, pinned by rds-ca-bundle.lock" in packages["amazon-rds-ca-bundle"]["comment"]
        else:
            assert "amazon-rds-ca-bundle" not in packages
        # Deterministic: the same image gives the same bytes.
        make(docker_env, "sbom", f"VARIANT={variant}", f"ARCH={arch}")
        assert open(path, "rb").read() == first


def test_push_signs_and_attaches_sboms_and_deploy_refuses_what_the_key_did_not_sign(docker_env, image, keys):
    image("perfect", "amd64")
    image("perfect", "arm64")
    image("classic", "amd64")
    registry = docker_env["REGISTRY"]
    signing = [f"SIGNING_KEY={keys / 'release.key'}", f"SIGNING_PASSPHRASE_FILE={keys / 'passphrase'}"]
    pushed = make(docker_env, "push", "VARIANT=perfect", *signing).stdout
    list_digest = digest_of_tag(registry, "perfect")
    image_digests = {arch: digest_of_tag(registry, f"perfect-{arch}") for arch in ("amd64", "arm64")}
    for digest in [list_digest, *image_digests.values()]:
        assert f"signed {registry}/{REPO}@{digest} " in pushed
    # What is signed is named by the digests this push made, never by a tag read back: both tags
    # hold the one list the push computed, and the signing step names it by digest.
    version = re.search(r"pushed \S+:perfect and :perfect-(\S+) \((sha256:[0-9a-f]{64})\) over: ", pushed)
    assert version and version.group(2) == list_digest == digest_of_tag(registry, f"perfect-{version.group(1)}"), pushed
    assert f"+ python3 scripts/signatures.py sign {registry}/{REPO}@{list_digest} " in pushed

    # Each image's SBOM is in the registry, referring to it.
    for arch, digest in image_digests.items():
        assert f"sbom: {registry}/{REPO}:{digest.replace(':', '-')}.sbom (refers to {digest})" in pushed
        artifact = json.loads(registry_get(registry, REPO, f"manifests/{digest.replace(':', '-')}.sbom",
                                           "application/vnd.oci.image.manifest.v1+json"))
        assert artifact["artifactType"] == "application/spdx+json" and artifact["subject"]["digest"] == digest
        attached = registry_get(registry, REPO, f"blobs/{artifact['layers'][0]['digest']}")
        assert attached == open(os.path.join(ROOT, f"build/sbom/perfect-{arch}.spdx.json"), "rb").read()

    checked = make(docker_env, "verify-signature", "VARIANT=perfect", f"VERIFY_KEY={keys / 'release.pub'}").stdout
    assert f"signature: {registry}/{REPO}@{list_digest} (the tag perfect points to it now) is signed by" in checked
    # The signature checked by an independent implementation: OpenSSL over the payload.
    signatures = json.loads(registry_get(registry, REPO, f"manifests/{image_digests['arm64'].replace(':', '-')}.sig",
                                         "application/vnd.oci.image.manifest.v1+json"))
    layer = signatures["layers"][0]
    payload = registry_get(registry, REPO, f"blobs/{layer['digest']}")
    assert json.loads(payload)["critical"]["image"]["docker-manifest-digest"] == image_digests["arm64"]
    (keys / "payload").write_bytes(payload)
    (keys / "signature").write_bytes(base64.b64decode(layer["annotations"]["dev.cosignproject.cosign/signature"]))
    assert "Verified OK" in sh("openssl", "dgst", "-sha256", "-verify", str(keys / "release.pub"), "-signature",
                               str(keys / "signature"), str(keys / "payload")).stdout

    deploy = ["deploy", "VARIANT=perfect", f"ECR_REPOSITORY={registry}/{REPO}", f"AWS_ACCOUNT={ACCOUNT}", "AWS_REGION=us-east-1", "YES=1"]
    try:
        # Signed by another key: refused before anything reaches AWS.
        refused = make(docker_env, *deploy, f"VERIFY_KEY={keys / 'other.pub'}", check=False)
        assert refused.returncode != 0
        assert f"error: {registry}/{REPO}@{list_digest} (the tag perfect points to it now) is signed, but not by the key {keys / 'other.pub'}" in refused.stderr
        assert "cloudformation" not in refused.stdout + refused.stderr
        # The tag moved to content nobody signed.
        moved = f"{registry}/{REPO}:perfect"
        docker(docker_env, "tag", f"{REPO}:classic-amd64", moved)
        docker(docker_env, "push", moved)
        new_digest = digest_of_tag(registry, "perfect")
        refused = make(docker_env, *deploy, f"VERIFY_KEY={keys / 'release.pub'}", check=False)
        assert refused.returncode != 0
        assert f"error: {registry}/{REPO}@{new_digest} (the tag perfect points to it now) is not signed: no signature in the registry" in refused.stderr
        # A pinned digest that was signed still passes, whatever the tag says now.
        pinned = make(docker_env, "-n", *deploy, f"VERIFY_KEY={keys / 'release.pub'}", f"DIGEST={list_digest}",
                      "VPC_ID=vpc-0123456789abcdef0", "SUBNETS=subnet-0123456789abcdef0").stdout
        assert f"signature: {registry}/{REPO}@{list_digest} is signed by" in pinned
        assert "cloudformation deploy --stack-name tictactoe-perfect" in pinned
        # The stack runs the checked digest: a parameter of the deploy, and the task definition's image.
        assert f"ImageDigest={list_digest} " in pinned
        assert f'"{registry}/{REPO}@{list_digest}"' in open(os.path.join(ROOT, "build/ecs/perfect-arm64.json")).read()
    finally:
        make(docker_env, "push", "VARIANT=perfect", *signing)


def test_scan_uses_the_scanner_people_have_and_never_pretends(docker_env, image):
    if shutil.which("trivy") or shutil.which("grype"):
        pytest.skip("a scanner is installed here; this checks the message without one")
    image("perfect", "arm64")
    make(docker_env, "sbom", "VARIANT=perfect", "ARCH=arm64")
    result = make(docker_env, "scan", "VARIANT=perfect", "ARCH=arm64", check=False)
    assert result.returncode != 0
    assert "error: no vulnerability scanner: install trivy (https://trivy.dev) or grype" in result.stderr
    assert "nothing was scanned" in result.stderr


def test_release_workflow_is_valid_and_names_only_real_make_targets(docker_env):
    workflow = os.path.join(ROOT, ".github/workflows/release.yml")
    schema = sh("check-jsonschema", "--builtin-schema", "vendor.github-workflows", workflow, check=False)
    assert schema.returncode == 0, schema.stdout + schema.stderr
    targets = set(re.findall(r"^  make (\S+)", sh("make", "--no-print-directory", "help").stdout, re.M))
    commands = "\n".join(line for line in open(workflow).read().splitlines() if not line.lstrip().startswith("#"))
    used = set(re.findall(r"\bmake (?:--no-print-directory )?(?:-s )?([a-z][a-z-]+)", commands))
    assert used and used <= targets, used - targets
    # The steps' make commands, planned here with the stand-ins (make -n runs nothing).
    for target, planned in (("image", "scripts/image.sh build arm64 perfect"), ("smoke-image", "scripts/image.sh smoke arm64 perfect"),
                            ("sbom", 'python3 scripts/sbom.py write "$tag" "build/sbom/${tag##*:}.spdx.json"')):
        assert planned in make(docker_env, "-n", target, "ARCH=arm64", "VARIANT=perfect").stdout
