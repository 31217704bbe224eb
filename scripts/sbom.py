#!/usr/bin/env python3
"""The SBOM of one built image, in SPDX 2.3 JSON, made from what the build recorded in the image
(never maintained by hand): its labels (version, revision, builder, Swift SDK and its checksum,
runtime base), /usr/share/tictactoe/Package.resolved (every Swift package, version, revision and
source), /usr/share/tictactoe/build-inputs.env (the Swift compiler and where libyaml came from,
with the source tarball's SHA-256 when it was built from source) and, in PostgreSQL images,
/usr/share/tictactoe/rds-ca-bundle.sha256. Deterministic: no random ids, and the creation time is
SOURCE_DATE_EPOCH (the commit's time), so one image always gives the same bytes.

  scripts/sbom.py write IMAGE OUT          write IMAGE's SBOM (a local image, e.g. tictactoe:perfect-arm64)
  scripts/sbom.py attach REFERENCE FILE    store FILE in the registry beside the pushed image REFERENCE
                                           (an OCI artifact whose subject is that image, under the
                                           tag sha256-<hex>.sbom, which registries without the OCI 1.1
                                           referrers API keep too)

Environment: DOCKER (default docker), SOURCE_DATE_EPOCH (default 0)."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

from registry import Pushed, RegistryError

DOCKER = os.environ.get("DOCKER", "docker")


def docker(*args):
    result = subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise SystemExit(f"error: {DOCKER} {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def files_of(image, paths):
    """{path: text} of the files of `image` that exist."""
    container = docker("create", image).strip()
    found = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            for path in paths:
                target = os.path.join(folder, os.path.basename(path))
                if subprocess.run([DOCKER, "cp", f"{container}:{path}", target], capture_output=True, timeout=120).returncode == 0:
                    found[path] = open(target).read()
    finally:
        docker("rm", container)
    return found


def spdx_id(name):
    return "SPDXRef-" + "".join(c if c.isalnum() or c in ".-" else "-" for c in name)


def package(name, version, location, purpose, checksum=None, purl=None, comment=None, supplier=None):
    entry = {
        "SPDXID": spdx_id(name),
        "name": name,
        "versionInfo": version or "NOASSERTION",
        "downloadLocation": location or "NOASSERTION",
        "filesAnalyzed": False,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "primaryPackagePurpose": purpose,
    }
    if supplier:
        entry["supplier"] = supplier
    if checksum:
        entry["checksums"] = [{"algorithm": "SHA256", "checksumValue": checksum}]
    if purl:
        entry["externalRefs"] = [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}]
    if comment:
        entry["comment"] = comment
    return entry


def sbom(image):
    info = json.loads(docker("image", "inspect", image))[0]
    labels = info["Config"].get("Labels") or {}
    if "io.tictactoe.variant" not in labels:
        raise SystemExit(f"error: {image} is not a tictactoe image (no io.tictactoe.variant label): build it with make image")
    files = files_of(image, ["/usr/share/tictactoe/Package.resolved", "/usr/share/tictactoe/build-inputs.env", "/usr/share/tictactoe/rds-ca-bundle.source",
                             "/usr/share/tictactoe/rds-ca-bundle.sha256"])
    if "/usr/share/tictactoe/build-inputs.env" not in files:
        raise SystemExit(f"error: {image} records no build inputs (/usr/share/tictactoe/build-inputs.env): rebuild it with this version's make image")
    inputs = dict(line.split("=", 1) for line in files["/usr/share/tictactoe/build-inputs.env"].splitlines() if "=" in line)
    pins = json.loads(files["/usr/share/tictactoe/Package.resolved"])["pins"]
    variant, arch, version = labels["io.tictactoe.variant"], labels["io.tictactoe.architecture"], labels.get("org.opencontainers.image.version", "")
    source, revision = labels.get("org.opencontainers.image.source", ""), labels.get("org.opencontainers.image.revision", "")

    image_name = f"tictactoe-{variant}-{arch}"
    packages = [
        package(image_name, version, "NOASSERTION", "CONTAINER", checksum=info["Id"].split(":")[-1],
                comment=f"the image's configuration digest ({info['Id']}); variant {variant}, linux/{arch}"),
        package("tictactoe", version, f"git+{source}@{revision}" if source and revision else None, "APPLICATION",
                comment=(info["Config"].get("Entrypoint") or ["the image's entry point"])[0]),
    ]
    relationships = [
        {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": spdx_id(image_name)},
        {"spdxElementId": spdx_id(image_name), "relationshipType": "CONTAINS", "relatedSpdxElement": spdx_id("tictactoe")},
    ]
    for pin in sorted(pins, key=lambda p: p["identity"]):
        location = pin["location"]
        path = location.split("://", 1)[-1].removesuffix(".git")
        name = f"swift-package-{pin['identity']}"
        state = pin["state"]
        packages.append(package(name, state.get("version"), f"git+{location}@{state['revision']}", "LIBRARY",
                                purl=f"pkg:swift/{path}@{state['version']}" if "version" in state else None,
                                comment=f"Swift package {pin['identity']}, revision {state['revision']}"))
        relationships.append({"spdxElementId": spdx_id("tictactoe"), "relationshipType": "STATIC_LINK", "relatedSpdxElement": spdx_id(name)})

    origin = inputs.get("LIBYAML_ORIGIN", "")
    yaml_version = inputs.get("LIBYAML_VERSION", "")
    if origin == "source":
        libyaml = package("libyaml", yaml_version, f"https://github.com/yaml/libyaml/releases/download/{yaml_version}/yaml-{yaml_version}.tar.gz",
                          "LIBRARY", checksum=inputs.get("LIBYAML_SHA256") or None, comment="built from its source tarball (SHA-256 of the tarball)")
    else:
        where = {"sdk": "the Swift SDK's sysroot", "builder": "the builder's libyaml-dev", "host": "the building host's libyaml-dev"}.get(origin, origin)
        libyaml = package("libyaml", yaml_version, "NOASSERTION", "LIBRARY",
                          purl=f"pkg:deb/debian/libyaml-dev@{yaml_version}" if yaml_version else None, comment=f"linked statically from {where}")
    packages.append(libyaml)
    relationships.append({"spdxElementId": spdx_id("tictactoe"), "relationshipType": "STATIC_LINK", "relatedSpdxElement": "SPDXRef-libyaml"})

    tools = [
        package("builder-image", labels.get("io.tictactoe.builder") or "NOASSERTION", "NOASSERTION", "OTHER",
                comment=f"BUILDER_IMAGE={labels.get('io.tictactoe.builder', '')}; binary from: {labels.get('io.tictactoe.binary-from', '')}"),
        package("swift-compiler", inputs.get("SWIFT_VERSION"), "NOASSERTION", "OTHER", comment="swift --version in the builder"),
        package("swift-sdk", labels.get("io.tictactoe.swift-sdk") or inputs.get("SWIFT_SDK"), labels.get("io.tictactoe.swift-sdk-source") or "NOASSERTION",
                "OTHER", checksum=labels.get("io.tictactoe.swift-sdk-checksum") or None, comment="the Swift SDK the binary was compiled with"),
    ]
    for tool in tools:
        packages.append(tool)
        relationships.append({"spdxElementId": tool["SPDXID"], "relationshipType": "BUILD_TOOL_OF", "relatedSpdxElement": spdx_id("tictactoe")})
    runtime = labels.get("io.tictactoe.runtime") or "scratch"
    if runtime != "scratch":
        packages.append(package("runtime-base-image", runtime, "NOASSERTION", "CONTAINER", comment="RUNTIME_IMAGE, the base of the image"))
        relationships.append({"spdxElementId": spdx_id(image_name), "relationshipType": "DESCENDANT_OF", "relatedSpdxElement": "SPDXRef-runtime-base-image"})
    bundle = files.get("/usr/share/tictactoe/rds-ca-bundle.sha256")
    if bundle:
        sha, path = bundle.split()
        source = files.get("/usr/share/tictactoe/rds-ca-bundle.source", "").strip()
        # SPDX takes only network locations; a bundle from a file (a builder that carries one) says where in the comment.
        location = source if source.startswith(("https://", "http://")) else "NOASSERTION"
        packages.append(package("amazon-rds-ca-bundle", "NOASSERTION", location, "FILE", checksum=sha,
                                comment=f"at {path}, from {source or 'an unrecorded source'}, pinned by rds-ca-bundle.lock"))
        relationships.append({"spdxElementId": spdx_id(image_name), "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-amazon-rds-ca-bundle"})

    content = json.dumps([packages, relationships], sort_keys=True).encode()
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH") or 0)))
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"{image_name} {version}",
        "documentNamespace": f"{source or 'https://tictactoe.invalid'}/spdx/{image_name}-{version}-{hashlib.sha256(content).hexdigest()}",
        "creationInfo": {"created": created, "creators": ["Tool: tictactoe-scripts-sbom.py", "Organization: tictactoe"]},
        "packages": packages,
        "relationships": relationships,
    }


def attach(reference, path):
    pushed = Pushed(reference)
    registry, repository, digest = pushed.registry, pushed.repository, pushed.digest
    document = open(path, "rb").read()
    empty = b"{}"
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/spdx+json",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "size": len(empty), "digest": registry.put_blob(repository, empty)},
        "layers": [{"mediaType": "application/spdx+json", "size": len(document), "digest": registry.put_blob(repository, document),
                    "annotations": {"org.opencontainers.image.title": os.path.basename(path)}}],
        "subject": {"mediaType": pushed.media_type, "size": len(pushed.body), "digest": digest},
    }).encode()
    tag = digest.replace(":", "-") + ".sbom"
    registry.put_manifest(repository, tag, manifest, "application/vnd.oci.image.manifest.v1+json")
    print(f"sbom: {pushed.name}:{tag} (refers to {digest})")


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("write", "attach"):
        raise SystemExit(__doc__)
    try:
        if sys.argv[1] == "write":
            document = sbom(sys.argv[2])
            os.makedirs(os.path.dirname(os.path.abspath(sys.argv[3])), exist_ok=True)
            with open(sys.argv[3], "w") as f:
                json.dump(document, f, indent=2, sort_keys=True)
                f.write("\n")
            print(f"sbom: {sys.argv[3]} ({len(document['packages'])} packages, SPDX 2.3)")
        else:
            attach(sys.argv[2], sys.argv[3])
    except RegistryError as error:
        raise SystemExit(f"error: {error}")


if __name__ == "__main__":
    main()
