"""The local stand-ins for what the stack makes around the tasks: a certificate authority (for the
database's and the HTTPS listener's certificates, mounted into tasks where they read the RDS
bundle), the database secret (a file standing in for Secrets Manager) and PostgreSQL from
Debian's packages holding the database the stack would create, TLS only, its data kept in one
folder until `make run-local-destroy`."""
import glob
import json
import os
import secrets
import shutil
import subprocess


class DatabaseError(Exception):
    pass


def _run(args, what, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise DatabaseError(f"{what} failed: {(result.stderr or result.stdout).strip()[-500:]}")
    return result.stdout


class Authority:
    """A certificate authority of the rehearsal's own, and certificates it signs."""

    def __init__(self, folder):
        self.dir = folder
        self.cert = os.path.join(folder, "ca.pem")
        self.key = os.path.join(folder, "ca.key")

    def ensure(self):
        os.makedirs(self.dir, exist_ok=True)
        if not os.path.exists(self.cert):
            _run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key, "-out", self.cert,
                  "-days", "30", "-subj", "/CN=tictactoe run-local CA"], "making the local CA")
            os.chmod(self.key, 0o600)

    def issue(self, name, names):
        """NAME.crt and NAME.key for `names` (DNS names and IP addresses); returns their paths."""
        crt, key = os.path.join(self.dir, f"{name}.crt"), os.path.join(self.dir, f"{name}.key")
        if os.path.exists(crt):
            return crt, key
        ext = os.path.join(self.dir, f"{name}.ext")
        alt = ",".join(f"IP:{n}" if n.replace(".", "").isdigit() else f"DNS:{n}" for n in names)
        with open(ext, "w") as f:
            f.write(f"subjectAltName={alt}\n")
        csr = os.path.join(self.dir, f"{name}.csr")
        _run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={names[0]}"], f"a key for {name}")
        _run(["openssl", "x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key, "-CAcreateserial", "-out", crt,
              "-days", "30", "-extfile", ext], f"signing {name}'s certificate")
        os.chmod(key, 0o600)
        return crt, key


class Secret:
    """The database secret's JSON ({"username": …, "password": …}), generated once, mode 0600."""

    def __init__(self, path, username):
        self.path = path
        if not os.path.exists(path):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump({"username": username, "password": secrets.token_urlsafe(24)}, f)
        self.values = json.load(open(path))


class Postgres:
    def __init__(self, folder, address, port=5432):
        self.dir = folder
        self.address = address
        self.port = port
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            raise DatabaseError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = bins[-1]
        self.root = os.geteuid() == 0

    def _as_owner(self, args, what, **kwargs):
        return _run((["runuser", "-u", "postgres", "--"] if self.root else []) + args, what, **kwargs)

    def running(self):
        return os.path.exists(os.path.join(self.dir, "postmaster.pid"))

    def start(self, certificate, key, database, secret):
        if not os.path.exists(os.path.join(self.dir, "PG_VERSION")):
            os.makedirs(self.dir, exist_ok=True)
            if self.root:
                shutil.chown(self.dir, "postgres", "postgres")
            self._as_owner([f"{self.bin}/initdb", "-D", self.dir, "-U", "postgres", "--auth-local=peer" if self.root else "--auth-local=trust",
                            "--auth-host=scram-sha-256"], "initdb")
            # TLS only, as rds.force_ssl: no plain `host` line, so a client without TLS is refused.
            with open(os.path.join(self.dir, "pg_hba.conf"), "w") as f:
                f.write("local all all peer\n" if self.root else "local all all trust\n")
                f.write("hostssl all all 127.0.0.0/8 scram-sha-256\n")
        for source, name in ((certificate, "server.crt"), (key, "server.key")):
            target = os.path.join(self.dir, name)
            shutil.copyfile(source, target)
            os.chmod(target, 0o600)
            if self.root:
                shutil.chown(target, "postgres", "postgres")
        self.resume()
        # The database and its owner, as the stack's master user; the password goes on stdin.
        user, password = secret["username"], secret["password"]
        sql = (f"SELECT 'CREATE ROLE {user} LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{user}')\\gexec\n"
               f"ALTER ROLE {user} PASSWORD '{password}';\n"
               f"SELECT 'CREATE DATABASE {database} OWNER {user}' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{database}')\\gexec\n")
        self._as_owner([f"{self.bin}/psql", "-h", self.dir, "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-qAt",
                        "-v", "ON_ERROR_STOP=1", "-f", "-"], "creating the database", input=sql)

    def resume(self):
        """Starts the server on its folder as it was made (TLS with the certificate in it)."""
        if self.running():
            return
        options = (f"-c listen_addresses={self.address} -p {self.port} -k {self.dir} -c ssl=on "
                   f"-c ssl_cert_file={self.dir}/server.crt -c ssl_key_file={self.dir}/server.key -c max_connections=200")
        self._as_owner([f"{self.bin}/pg_ctl", "-D", self.dir, "-l", os.path.join(self.dir, "server.log"), "-w", "-t", "30",
                        "-o", options, "start"], f"starting PostgreSQL on {self.address}:{self.port} (log: {self.dir}/server.log)")

    def stop(self):
        if self.running():
            self._as_owner([f"{self.bin}/pg_ctl", "-D", self.dir, "-m", "fast", "-w", "-t", "30", "stop"], "stopping PostgreSQL")
