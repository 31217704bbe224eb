"""A small client of the OCI distribution API (what Docker registries and ECR speak), for the
scripts that attach signatures and SBOMs to pushed images: manifests and blobs by digest, with
the credentials `docker login` stored (basic, or bearer tokens obtained with them). Plain HTTP
only for registries on 127.0.0.1/localhost, as Docker itself allows."""
import hashlib
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request

MANIFEST_TYPES = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
]


class RegistryError(Exception):
    pass


def digest_of(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def parse_reference(reference):
    """`host[:port]/repo[:tag|@digest]` → (host, repository, tag or digest)."""
    host, _, rest = reference.partition("/")
    if not rest or ("." not in host and ":" not in host and host != "localhost"):
        raise RegistryError(f"{reference} names no registry host (expected host[:port]/repository[:tag|@sha256:…])")
    if "@" in rest:
        repository, ref = rest.split("@", 1)
    else:
        repository, _, ref = rest.rpartition(":") if re.search(r":[\w.-]+$", rest) else (rest, "", "latest")
    return host, repository, ref


class Registry:
    def __init__(self, host):
        self.host = host
        local = host.split(":")[0] in ("127.0.0.1", "localhost")
        self.base = f"{'http' if local else 'https'}://{host}"
        self.token = None

    def credentials(self):
        path = os.path.join(os.environ.get("DOCKER_CONFIG", os.path.expanduser("~/.docker")), "config.json")
        try:
            auths = json.load(open(path)).get("auths", {})
        except (OSError, ValueError):
            return None
        entry = auths.get(self.host) or auths.get(f"https://{self.host}")
        return entry.get("auth") if entry else None

    def request(self, method, path, data=None, headers=None, retry=True):
        url = path if path.startswith("http") else self.base + path
        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        if self.token:
            # Unredirected: a redirect (ECR sends blob downloads to S3) never carries the registry's
            # credentials to another host, which would also make S3 refuse the request.
            request.add_unredirected_header("Authorization", self.token)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            body = error.read()
            if error.code == 401 and retry:
                self.authenticate(error.headers.get("WWW-Authenticate", ""))
                return self.request(method, path, data, headers, retry=False)
            return error.code, dict(error.headers), body
        except urllib.error.URLError as error:
            raise RegistryError(f"cannot reach the registry {self.host}: {error.reason}")

    def authenticate(self, challenge):
        basic = self.credentials()
        if challenge.lower().startswith("basic"):
            if not basic:
                raise RegistryError(f"{self.host} wants credentials: docker login {self.host} (for ECR: make push logs in)")
            self.token = f"Basic {basic}"
            return
        fields = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
        if "realm" not in fields:
            raise RegistryError(f"{self.host} refused the request and named no way to log in")
        query = urllib.parse.urlencode({k: v for k, v in fields.items() if k in ("service", "scope")})
        request = urllib.request.Request(fields["realm"] + ("?" + query if query else ""))
        if basic:
            request.add_unredirected_header("Authorization", f"Basic {basic}")
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        self.token = "Bearer " + (answer.get("token") or answer.get("access_token", ""))

    def manifest(self, repository, reference):
        """(digest, media type, bytes) of a manifest, or None when there is none."""
        status, headers, body = self.request("GET", f"/v2/{repository}/manifests/{reference}", headers={"Accept": ", ".join(MANIFEST_TYPES)})
        if status == 404:
            return None
        if status != 200:
            raise RegistryError(f"GET {repository}:{reference} answered {status}: {body[:200]!r}")
        media = json.loads(body).get("mediaType") or headers.get("Content-Type", "")
        return digest_of(body), media, body

    def put_blob(self, repository, data):
        digest = digest_of(data)
        status, _, _ = self.request("HEAD", f"/v2/{repository}/blobs/{digest}")
        if status == 200:
            return digest
        status, headers, body = self.request("POST", f"/v2/{repository}/blobs/uploads/", data=b"")
        if status != 202:
            raise RegistryError(f"starting an upload to {repository} answered {status}: {body[:200]!r}")
        location = headers.get("Location", "")
        if location.startswith("/"):
            location = self.base + location
        location += ("&" if "?" in location else "?") + urllib.parse.urlencode({"digest": digest})
        status, _, body = self.request("PUT", location, data=data, headers={"Content-Type": "application/octet-stream"})
        if status != 201:
            raise RegistryError(f"uploading {digest} to {repository} answered {status}: {body[:200]!r}")
        return digest

    def blob(self, repository, digest):
        status, _, body = self.request("GET", f"/v2/{repository}/blobs/{digest}")
        if status != 200:
            raise RegistryError(f"GET blob {digest} of {repository} answered {status}")
        return body

    def put_manifest(self, repository, reference, manifest, media_type):
        status, _, body = self.request("PUT", f"/v2/{repository}/manifests/{reference}", data=manifest, headers={"Content-Type": media_type})
        if status != 201:
            raise RegistryError(f"PUT {repository}:{reference} answered {status}: {body[:300]!r}")
        return digest_of(manifest)


class Pushed:
    """What a reference names in its registry now: the registry, repository, the tag or digest
    asked for, and the manifest's digest, media type and bytes."""

    def __init__(self, reference):
        host, self.repository, self.ref = parse_reference(reference)
        self.registry = Registry(host)
        found = self.registry.manifest(self.repository, self.ref)
        if not found:
            raise RegistryError(f"{reference} is not in the registry: push it first (make push)")
        self.digest, self.media_type, self.body = found
        self.name = f"{host}/{self.repository}"

