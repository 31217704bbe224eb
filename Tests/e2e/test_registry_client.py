"""scripts/registry.py against a registry that answers as ECR does: blob downloads redirected to a
second server (S3) that refuses any request carrying an `Authorization` header."""
import base64
import hashlib
import http.server
import json
import os
import sys
import threading

import pytest

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import registry  # noqa: E402

BLOB = b'{"payload": "signed"}'
DIGEST = "sha256:" + hashlib.sha256(BLOB).hexdigest()


def serve(handler):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def ecr_and_s3(tmp_path, monkeypatch):
    seen = {"s3": []}

    class S3(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen["s3"].append(self.headers.get("Authorization"))
            if self.headers.get("Authorization"):
                self.send_response(400)
                body = b"<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>"
            else:
                self.send_response(200)
                body = BLOB
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    s3 = serve(S3)

    class ECR(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.headers.get("Authorization") != "Basic " + base64.b64encode(b"AWS:token").decode():
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="ecr"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(307)
            self.send_header("Location", f"http://127.0.0.1:{s3.server_address[1]}/layer?X-Amz-Signature=abc")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    ecr = serve(ECR)
    host = f"127.0.0.1:{ecr.server_address[1]}"
    (tmp_path / "config.json").write_text(json.dumps({"auths": {host: {"auth": base64.b64encode(b"AWS:token").decode()}}}))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    yield host, seen
    ecr.shutdown()
    s3.shutdown()


def test_a_redirected_blob_download_carries_no_registry_credentials(ecr_and_s3):
    host, seen = ecr_and_s3
    assert registry.Registry(host).blob("tictactoe", DIGEST) == BLOB
    assert seen["s3"] == [None]
