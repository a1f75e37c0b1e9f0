"""The local graph server: ArcadeDB (PyPI `arcadedb-embedded`) with its Bolt plugin on 127.0.0.1.

    constellation db start     # start it (data, password, log under CONSTELLATION_HOME)
    constellation db status    # is it running, where, which database
    constellation db stop      # SIGTERM, wait, SIGKILL if it must

Python:

    from constellation import server
    config = server.ensure_running()   # -> graph.GraphConfig of the running local server
    server.stop()

State lives in `CONSTELLATION_HOME` (default `$XDG_STATE_HOME/constellation` or
`~/.local/state/constellation`): `server/` (ArcadeDB root: databases, config, logs),
`server.json` (users, generated passwords, ports, pid, limits; mode 0600) and `server.log`.
Ports come from CONSTELLATION_BOLT_PORT / CONSTELLATION_HTTP_PORT (defaults 7687 / 2480) and are
recorded in `server.json` at start, so later commands find the running server without the
variables. CONSTELLATION_HEAP sets the JVM heap (default 2g); CONSTELLATION_QUERY_TIMEOUT the
server's time limit for every query, in seconds (default 30); CONSTELLATION_JAVA_OPTS adds
JVM/ArcadeDB options (docs/arcadedb-notes.md).

Security (enforced by the server, written by `start` into ArcadeDB's `config/`):
- three users, each with its own generated password: `root` (server commands over HTTP only:
  create/drop database), a read-write user for loads, and a read-only user for the console,
  the named queries and the explorer, whose group may read records and nothing else (no record
  writes, no schema change, no `LOAD CSV`);
- the read-write and read-only user names carry a random suffix: ArcadeDB locks a user name out
  for 30 s after 5 failed logins, so another local process that cannot read `server.json`
  cannot lock the owner out (it can only lock `root`, which no command but the test isolation
  helpers below uses);
- every query is stopped by the server after CONSTELLATION_QUERY_TIMEOUT
  (`arcadedb.command.timeout`), and the read-only group also has it as its `readTimeout`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from constellation.errors import GraphUnreachable, UserError, graph_errors

if TYPE_CHECKING:
    from constellation.graph import GraphConfig

HOST = "127.0.0.1"
ADMIN_USER = "root"  # ArcadeDB runs server commands (create/drop database) for `root` only
WRITER_GROUP = "constellation_writer"
READER_GROUP = "constellation_reader"
DATABASE = "constellation"
# `constellation demo` loads here, never into DATABASE. Created at every start, so the demo needs
# no server command (those are root's, whose name anyone can lock out).
DEMO_DATABASE = "demo"
DEFAULT_QUERY_TIMEOUT_S = 30.0
# Queries the server runs at once (`arcadedb.queryMaxConcurrent`); more wait in its queue. The
# engine's default on 2 cores is 4, which four runaway console queries filled; the console takes
# at most `queries.console.MAX_RUNNING` of these per process.
QUERY_SLOTS = 16
DEFAULT_BOLT_PORT = 7687
DEFAULT_HTTP_PORT = 2480
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
PACKAGE = "arcadedb_embedded"


@dataclass(frozen=True)
class Paths:
    """Where the local server keeps its state."""

    home: Path

    @property
    def root(self) -> Path:  # ArcadeDB's rootPath: databases/, config/, log/
        return self.home / "server"

    @property
    def state(self) -> Path:
        return self.home / "server.json"

    @property
    def config_dir(self) -> Path:  # ArcadeDB's users and groups
        return self.root / "config"

    @property
    def log(self) -> Path:
        return self.home / "server.log"

    @property
    def java_args(self) -> Path:
        return self.home / "java.args"


@dataclass
class State:
    """Contents of `server.json`."""

    user: str  # read-write user (loads)
    password: str
    database: str
    bolt_port: int
    http_port: int
    pid: int | None = None
    read_user: str = ""  # read-only user (console, named queries, explorer)
    read_password: str = ""
    admin_password: str = ""  # `root`
    query_timeout: float = DEFAULT_QUERY_TIMEOUT_S  # seconds; the server stops longer queries


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    uri: str | None
    http: str | None
    database: str | None
    home: Path
    log: Path


def home_dir() -> Path:
    if env := os.environ.get("CONSTELLATION_HOME"):
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(xdg).expanduser() / "constellation"


def paths() -> Paths:
    return Paths(home_dir())


def _port_from_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError:
        raise UserError(f"{name}={raw!r} is not a port number") from None
    if not 0 < port < 65536:
        raise UserError(f"{name}={raw!r} is not a port number (1-65535)")
    return port


def _read_state(p: Paths) -> State | None:
    try:
        return State(**json.loads(p.state.read_text()))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        raise UserError(
            f"{p.state} is damaged ({exc}): remove it and {p.root} to start afresh"
        ) from exc


def _write_private(path: Path, text: str) -> None:
    """Write a file only the user can read (created 0600, never briefly world-readable)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _write_state(p: Paths, state: State) -> None:
    _write_private(p.state, json.dumps(asdict(state), indent=2) + "\n")


def _pid_alive(pid: int | None, root: Path) -> bool:
    """True if `pid` runs and is our ArcadeDB (its command line names our root path)."""
    if not pid:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True  # no /proc (not Linux): trust the pid
    return f"-Dconstellation.root={root} " in cmdline + " "


def _java_and_classpath() -> tuple[Path, str]:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise UserError(
            "the local graph server needs the arcadedb-embedded package: "
            "pip install 'constellation-atlas[local]' (or set NEO4J_URI to use Neo4j)"
        )
    pkg = Path(spec.origin).parent
    java = pkg / "jre" / "bin" / "java"
    if not java.exists():
        raise UserError(f"arcadedb-embedded at {pkg} ships no Java runtime ({java} missing)")
    return java, str(pkg / "jars" / "*")


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _log_tail(p: Paths, lines: int = 25) -> str:
    try:
        text = p.log.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text[-lines:])


def uri(state: State) -> str:
    return f"bolt://{HOST}:{state.bolt_port}"


def _config(state: State, read_only: bool = False) -> GraphConfig:
    from constellation.graph import GraphConfig

    user, password = (
        (state.read_user, state.read_password) if read_only else (state.user, state.password)
    )
    return GraphConfig(
        uri=uri(state),
        user=user,
        password=password,
        database=state.database,
        query_timeout=state.query_timeout,
    )


def local_config(read_only: bool = False) -> GraphConfig | None:
    """The stored connection settings of the local server, or None if it was never started.

    `read_only=True`: the user whose writes the server refuses (console, queries, explorer).
    """
    state = _read_state(paths())
    if state is None:
        return None
    if read_only and not state.read_user:
        raise UserError(
            "the local graph server was started by an older version without a read-only user: "
            "`constellation db stop` then `constellation db start` to create it"
        )
    return _config(state, read_only)


def _bolt_answers(state: State) -> tuple[bool, str]:
    """(True, "") once a query runs in our database; else (False, why)."""
    import neo4j

    try:
        with graph_errors(f" at {uri(state)}", user=state.user, database=state.database):
            with neo4j.GraphDatabase.driver(
                uri(state), auth=(state.user, state.password), connection_timeout=2.0
            ) as driver:
                with driver.session(database=state.database) as session:
                    session.run("RETURN 1").consume()
        return True, ""
    except GraphUnreachable as exc:
        if exc.reason != "login":
            return False, str(exc)  # not up yet, or its database still being created
        # The password stored here does not match the one in the server's data folder.
        raise UserError(
            f"the local server at {uri(state)} refused the password stored in "
            f"{paths().state}: the data folder {paths().root} belongs to another password; "
            f"stop the server and remove {paths().home} to start afresh"
        ) from exc
    except UserError as exc:
        return False, str(exc)


def status() -> Status:
    p = paths()
    state = _read_state(p)
    if state is None or not _pid_alive(state.pid, p.root):
        return Status(False, None, None, None, None, p.home, p.log)
    return Status(
        True,
        state.pid,
        uri(state),
        f"http://{HOST}:{state.http_port}",
        state.database,
        p.home,
        p.log,
    )


def start(timeout: float = START_TIMEOUT_S) -> GraphConfig:
    """Start the local server and wait until Bolt answers; refuse if it already runs."""
    p = paths()
    current = status()
    if current.running:
        raise UserError(
            f"the local graph server is already running (pid {current.pid}) at {current.uri}; "
            "`constellation db stop` first"
        )
    java, classpath = _java_and_classpath()
    bolt_port, http_port = _free_ports()
    query_timeout = _timeout_from_env()
    p.home.mkdir(parents=True, exist_ok=True)
    os.chmod(p.home, 0o700)
    p.root.mkdir(exist_ok=True)
    previous = _read_state(p)
    if previous is None and (p.config_dir / USERS_FILE).exists():
        raise UserError(
            f"{p.root} holds a server whose password is lost ({p.state} missing): "
            f"remove {p.home} to start afresh"
        )
    state = _credentials(previous, bolt_port, http_port, query_timeout)
    _write_state(p, state)  # before the users file, which holds only hashes of these passwords
    _write_security(p, state)
    (p.home / "root-password").unlink(missing_ok=True)  # left by versions that used it
    # Options go through a 0600 argument file so nothing secret shows in `ps`.
    _write_private(p.java_args, "\n".join(f'"{o}"' for o in _java_options(p, state, classpath)))
    proc = _launch(p, java)
    state.pid = proc.pid
    _write_state(p, state)
    try:
        return _wait_until_ready(p, state, proc, timeout)
    except UserError:
        if proc.poll() is not None:  # gone (or stopped by us); else `db stop` still finds it
            state.pid = None
            _write_state(p, state)
        raise


def _free_ports() -> tuple[int, int]:
    """(Bolt, HTTP) ports from the environment, checked to be free and different."""
    bolt_port = _port_from_env("CONSTELLATION_BOLT_PORT", DEFAULT_BOLT_PORT)
    http_port = _port_from_env("CONSTELLATION_HTTP_PORT", DEFAULT_HTTP_PORT)
    if bolt_port == http_port:
        raise UserError(f"Bolt and HTTP ports must differ (both {bolt_port})")
    for name, port, var in (
        ("Bolt", bolt_port, "CONSTELLATION_BOLT_PORT"),
        ("HTTP", http_port, "CONSTELLATION_HTTP_PORT"),
    ):
        if not _port_free(port):
            raise UserError(
                f"port {port} ({name}) on {HOST} is already in use by another program: "
                f"set {var} to a free port"
            )
    return bolt_port, http_port


def _java_options(p: Paths, state: State, classpath: str) -> list[str]:
    databases = f"{DATABASE}[{ADMIN_USER}];{DEMO_DATABASE}[{ADMIN_USER}]"
    return [
        f"-Xmx{os.environ.get('CONSTELLATION_HEAP', '2g')}",
        f"-Darcadedb.server.rootPath={p.root}",
        "-Darcadedb.server.mode=development",
        f"-Darcadedb.server.httpIncomingHost={HOST}",
        f"-Darcadedb.server.httpIncomingPort={state.http_port}",
        "-Darcadedb.server.plugins=Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
        f"-Darcadedb.bolt.host={HOST}",
        f"-Darcadedb.bolt.port={state.bolt_port}",
        f"-Darcadedb.server.defaultDatabases={databases}",
        f"-Darcadedb.command.timeout={round(state.query_timeout * 1000)}",
        f"-Darcadedb.queryMaxConcurrent={QUERY_SLOTS}",
        *shlex.split(os.environ.get("CONSTELLATION_JAVA_OPTS", "")),
        "-cp",
        classpath,
        "com.arcadedb.server.ArcadeDBServer",
    ]


def _launch(p: Paths, java: Path) -> subprocess.Popen:
    with open(p.log, "ab") as log:
        log.write(f"\n--- constellation db start {time.strftime('%Y-%m-%dT%H:%M:%S')}\n".encode())
        log.flush()
        try:
            return subprocess.Popen(
                [str(java), f"-Dconstellation.root={p.root}", f"@{p.java_args}"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=p.root,  # ArcadeDB writes log/ relative to it
                start_new_session=True,  # survives the shell; stopped by pid
            )
        except OSError as exc:
            raise UserError(f"could not run Java ({java}): {exc}") from exc


def _wait_until_ready(
    p: Paths, state: State, proc: subprocess.Popen, timeout: float
) -> GraphConfig:
    deadline = time.monotonic() + timeout
    why = ""
    while time.monotonic() < deadline:
        code = proc.poll()
        if code is not None:
            raise UserError(
                f"the graph server (Java) exited with code {code} while starting; "
                f"log {p.log}:\n{_log_tail(p)}"
            )
        ok, why = _bolt_answers(state)
        if ok:
            return _config(state)
        time.sleep(0.5)
    _terminate(proc.pid)
    raise UserError(
        f"the graph server did not answer on {uri(state)} within {timeout:.0f} s ({why}); "
        f"log {p.log}:\n{_log_tail(p)}"
    )


# --- users, groups and limits: what the server enforces ---------------------------------------

USERS_FILE = "server-users.jsonl"
GROUPS_FILE = "server-groups.json"
_ALL_RECORDS = ["createRecord", "readRecord", "updateRecord", "deleteRecord"]


def _timeout_from_env() -> float:
    raw = os.environ.get("CONSTELLATION_QUERY_TIMEOUT")
    if not raw:
        return DEFAULT_QUERY_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not (0 < value <= 86_400):  # also refuses nan and inf
        raise UserError(
            f"CONSTELLATION_QUERY_TIMEOUT={raw!r}: give the server's query time limit in "
            "seconds, more than 0 and at most 86400"
        )
    return value


def _credentials(
    previous: State | None, bolt_port: int, http_port: int, query_timeout: float
) -> State:
    """Keep the stored passwords; make the users a server.json of an older version lacks."""
    admin = previous.admin_password if previous else ""
    if previous is not None and not previous.read_user:
        admin = previous.password  # that version ran everything as `root`
    if previous is not None and previous.read_user:
        user, password = previous.user, previous.password
        read_user, read_password = previous.read_user, previous.read_password
    else:
        # Random suffixes: the engine's lockout after failed logins is per user name.
        user, password = f"writer_{secrets.token_hex(8)}", secrets.token_urlsafe(24)
        read_user, read_password = f"reader_{secrets.token_hex(8)}", secrets.token_urlsafe(24)
    return State(
        user=user,
        password=password,
        database=previous.database if previous else DATABASE,
        bolt_port=bolt_port,
        http_port=http_port,
        read_user=read_user,
        read_password=read_password,
        admin_password=admin or secrets.token_urlsafe(24),
        query_timeout=query_timeout,
    )


def _hash_password(password: str) -> str:
    """A password as ArcadeDB stores it (`ServerSecurity.encodePassword`): PBKDF2-HMAC-SHA256
    with a 32-byte random salt kept as Base64 text, whose UTF-8 bytes are the salt."""
    iterations = 65_536
    salt = base64.b64encode(secrets.token_bytes(32)).decode()
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations, 32)
    return f"PBKDF2WithHmacSHA256${iterations}${salt}${base64.b64encode(digest).decode()}"


def _write_security(p: Paths, state: State) -> None:
    """Users and groups for the next start: root (admin), the read-write user and the
    read-only user. Entries of other users are kept; stale ones of ours are dropped."""
    p.config_dir.mkdir(parents=True, exist_ok=True)
    ours = {
        ADMIN_USER: (state.admin_password, "admin"),
        state.user: (state.password, WRITER_GROUP),
        state.read_user: (state.read_password, READER_GROUP),
    }
    lines = []
    users = p.config_dir / USERS_FILE
    if users.exists():
        for line in users.read_text().splitlines():
            name = json.loads(line).get("name", "") if line.strip() else ""
            if name and name not in ours and not name.startswith(("writer_", "reader_")):
                lines.append(line)
    for name, (password, group) in ours.items():
        entry = {"name": name, "password": _hash_password(password), "databases": {"*": [group]}}
        lines.append(json.dumps(entry))
    _write_private(users, "\n".join(lines) + "\n")

    path = p.config_dir / GROUPS_FILE
    config = json.loads(path.read_text()) if path.exists() else {}
    config.setdefault("version", 2)
    groups = config.setdefault("databases", {}).setdefault("*", {}).setdefault("groups", {})
    groups.setdefault("admin", {
        "resultSetLimit": -1, "readTimeout": -1,
        "access": ["updateSecurity", "updateSchema", "updateDatabaseSettings"],
        "types": {"*": {"access": _ALL_RECORDS}},
    })
    groups.setdefault("*", {
        "resultSetLimit": -1, "readTimeout": -1, "access": [], "types": {"*": {"access": []}},
    })
    # Loads: records and schema (constraints, indexes, new labels); no security, settings or
    # server files (`LOAD CSV` needs updateSecurity).
    groups[WRITER_GROUP] = {
        "resultSetLimit": -1, "readTimeout": -1,
        "access": ["updateSchema"], "types": {"*": {"access": _ALL_RECORDS}},
    }
    # Reads only: every write clause, schema change and `LOAD CSV` is refused by the server.
    groups[READER_GROUP] = {
        "resultSetLimit": -1, "readTimeout": round(state.query_timeout * 1000),
        "access": [], "types": {"*": {"access": ["readRecord"]}},
    }  # fmt: skip
    _write_private(path, json.dumps(config, indent=2) + "\n")


def _terminate(pid: int, timeout: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM, wait up to `timeout`, then SIGKILL."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _exists(pid):
            return
        time.sleep(0.2)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    while _exists(pid):
        time.sleep(0.1)


def _exists(pid: int) -> bool:
    try:
        # Reap it if it is our child (started in this process); otherwise just probe.
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie we cannot reap counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (OSError, IndexError):
        return True


def stop(timeout: float = STOP_TIMEOUT_S) -> bool:
    """Stop the local server. Returns False if it was not running."""
    p = paths()
    state = _read_state(p)
    if state is None or not _pid_alive(state.pid, p.root):
        if state is not None and state.pid is not None:
            state.pid = None
            _write_state(p, state)
        return False
    assert state.pid is not None
    _terminate(state.pid, timeout)
    state.pid = None
    _write_state(p, state)
    return True


def ensure_running() -> GraphConfig:
    """The running local server's config, starting it first if needed (`constellation demo`)."""
    p = paths()
    state = _read_state(p)
    if state is not None and _pid_alive(state.pid, p.root):
        ok, why = _bolt_answers(state)
        if ok:
            return _config(state)
        raise UserError(f"the local graph server (pid {state.pid}) does not answer: {why}")
    return start()


# --- HTTP admin API: databases for test isolation -------------------------------------------


def _http(command: str) -> dict[str, Any]:
    state = _read_state(paths())
    if state is None:
        raise UserError("the local graph server was never started: `constellation db start`")
    url = f"http://{HOST}:{state.http_port}/api/v1/server"
    token = base64.b64encode(f"{ADMIN_USER}:{state.admin_password}".encode()).decode()
    request = urllib.request.Request(
        url,
        data=json.dumps({"command": command}).encode(),
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("detail", "")
        except ValueError:
            detail = ""
        raise UserError(f"graph server refused `{command}`: HTTP {exc.code} {detail}") from exc
    except urllib.error.URLError as exc:
        raise UserError(f"graph server HTTP API not reachable at {url}: {exc.reason}") from exc


def _check_name(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise UserError(f"database name {name!r}: use letters, digits and _ only")
    return name


def create_database(name: str) -> None:
    """Create an empty database on the local server (HTTP admin API)."""
    _http(f"create database {_check_name(name)}")


def drop_database(name: str) -> None:
    _http(f"drop database {_check_name(name)}")


def close_database(name: str) -> None:
    """The server closes a database and lets go of its files (another process may open them:
    `load --bulk`); its next use, or `open_database`, opens it again."""
    _http(f"close database {_check_name(name)}")


def open_database(name: str) -> None:
    _http(f"open database {_check_name(name)}")


def list_databases() -> list[str]:
    """Names of the local server's databases (`constellation demo` creates its own if missing)."""
    return [str(name) for name in _http("list databases").get("result", [])]


# --- CLI ------------------------------------------------------------------------------------


def add_db(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="manage the local graph server (ArcadeDB over Bolt)")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("start", help="start the local server").set_defaults(func=_cmd_start)
    db_sub.add_parser("stop", help="stop the local server").set_defaults(func=_cmd_stop)
    db_sub.add_parser("status", help="show whether it runs").set_defaults(func=_cmd_status)


def _cmd_start(args: argparse.Namespace) -> int:
    config = start()
    print(f"graph server running at {config.uri} (database {config.database}, home {home_dir()})")
    return 0


def _cmd_stop(args: argparse.Namespace) -> int:
    print("graph server stopped" if stop() else "graph server was not running")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    s = status()
    if not s.running:
        print(f"graph server not running (home {s.home})")
        return 1
    print(f"graph server running: pid {s.pid}, {s.uri}, database {s.database}, http {s.http}")
    print(f"home {s.home}, log {s.log}")
    return 0
