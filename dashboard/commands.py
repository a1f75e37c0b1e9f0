"""`constellation serve` and `constellation demo` (heavy imports happen inside the commands).

    constellation serve [--host H] [--port 8050]   # the explorer over the configured graph
    constellation demo [--port 8050]      # local server + bundled sample (database `demo`)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from constellation.errors import UserError
from constellation.server import DEMO_DATABASE  # the demo's own database on the local server

if TYPE_CHECKING:
    from constellation.graph import GraphConfig

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050
SAMPLE = "models.jsonl"
SAMPLE_DIR = ("loader", "sample")  # where the sample lives, in the repository and installed
STILL_RUNNING = ("the local graph server is still running (it keeps the demo graph); "
                 "stop it with `constellation db stop`")


def add_serve(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "serve", help="serve the explorer (Dash) over the configured graph",
        description="Serve the explorer over the graph named by NEO4J_URI/NEO4J_USER/"
                    "NEO4J_PASSWORD/NEO4J_DATABASE, else the local server (`constellation db "
                    "start`).",
    )
    p.add_argument("--host", default=DEFAULT_HOST, help=f"interface (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("--debug", action="store_true", help="Dash debug mode (reloader, dev tools)")
    p.set_defaults(func=_cmd_serve)


def add_demo(subparsers: argparse._SubParsersAction) -> None:
    d = subparsers.add_parser(
        "demo", help="start the local graph server, build + load the bundled sample, serve",
        description="Start the local graph server, build the bundled sample of Hub models into "
                    "the state folder, load it into the server's own `demo` database (never "
                    "the `constellation` one) and serve the explorer. With NEO4J_URI set, load "
                    "into that graph instead, only if it is empty or holds the demo already. "
                    "The graph server keeps running afterwards (`constellation db stop`).",
    )
    d.add_argument("--host", default=DEFAULT_HOST, help=f"interface (default {DEFAULT_HOST})")
    d.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    d.add_argument("--no-serve", action="store_true",
                   help="build and load only (prints where to point `constellation serve`)")
    d.set_defaults(func=_cmd_demo)


def _say(msg: str) -> None:
    print(f"[constellation] {msg}", file=sys.stderr, flush=True)


def _check_port(port: int) -> None:
    if not 0 < port < 65536:
        raise UserError(f"--port {port}: not a port number (1-65535)")
    import socket

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((DEFAULT_HOST, port))
        except OSError:
            raise UserError(f"--port {port}: already in use; pick another with --port N") from None


def _cmd_serve(args: argparse.Namespace) -> int:
    _check_port(args.port)
    from constellation.graph import GraphConfig

    config = GraphConfig.from_env(read_only=True)  # the server refuses the explorer's writes
    serve(config, host=args.host, port=args.port, debug=args.debug)
    return 0


def serve(config, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, debug: bool = False) -> None:
    """Build the app for `config` and serve it until Ctrl+C."""
    from constellation.dashboard.app import create_app

    app = create_app(config, warm=True)
    _say(f"explorer on http://{host}:{port}/  (graph: {config.uri}"
         f"{', database ' + config.database if config.database else ''}; Ctrl+C to stop)")
    app.run(host=host, port=port, debug=debug)


def sample_path() -> Path:
    """The bundled demo sample, found through the installed package (works outside the repo)."""
    from importlib import resources

    res = resources.files("constellation.loader").joinpath("sample", SAMPLE)
    if not res.is_file():
        raise UserError(f"the bundled sample {SAMPLE} is missing from constellation.loader/sample")
    return Path(str(res))


def _cmd_demo(args: argparse.Namespace) -> int:
    _check_port(args.port)
    config = prepare_demo()
    local = not os.environ.get("NEO4J_URI")
    if args.no_serve:
        env = f"NEO4J_DATABASE={config.database} " if local else ""
        _say(f"demo graph loaded; serve it with `{env}constellation serve`")
        if local:
            _say(STILL_RUNNING)
        return 0
    from dataclasses import replace

    from constellation.graph import GraphConfig

    # Loaded as the read-write user; served as the read-only one, whose writes the server refuses.
    reader = replace(GraphConfig.from_env(read_only=True), database=config.database)
    try:
        serve(reader, host=args.host, port=args.port)
    finally:  # Ctrl+C ends the explorer, not the graph server: say so
        if local:
            _say(STILL_RUNNING)
    return 0


def prepare_demo() -> GraphConfig:
    """Build the bundled sample and load it where the demo may write; the config it loaded into.

    Without NEO4J_URI: the local server (started if needed), database `demo` (created if
    missing), so the user's `constellation` database is never touched. With NEO4J_URI: that
    graph, but only if it is empty or holds the demo sample already (`check_replaceable`).
    """
    import time

    from constellation.loader.graph.writer import load_artifacts
    from constellation.loader.pipeline.build import build

    from constellation import server
    from constellation.graph import GraphConfig, connect

    t0 = time.perf_counter()
    if os.environ.get("NEO4J_URI"):
        config = GraphConfig.from_env()
        _say(f"1/3 using the graph of NEO4J_URI: {config.uri}"
             f"{', database ' + config.database if config.database else ''}")
    else:
        _say("1/3 starting the local graph server (first start takes a few seconds)…")
        config = replace(server.ensure_running(), database=DEMO_DATABASE)
        if DEMO_DATABASE not in server.list_databases():
            server.create_database(DEMO_DATABASE)
        _say(f"    graph server ready at {config.uri} (database {config.database})")
    with connect(config) as driver:
        check_replaceable(driver, config)  # before the build: a refusal costs nothing
        sample = sample_path()
        out = server.home_dir() / "demo" / "artifacts"
        out.mkdir(parents=True, exist_ok=True)
        _say(f"2/3 building the bundled sample {sample.name} into {out}…")
        manifest = build([sample], out)
        counts = manifest.get("counts", {}) if isinstance(manifest, dict) else {}
        shown = [f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items()
                 if k in ("models", "similarity_edges", "lineage_edges", "communities")
                 and isinstance(v, int)]
        if shown:
            _say("    built " + ", ".join(shown))
        _say(f"3/3 loading it into the graph (database {config.database or 'default'})…")
        load_artifacts(driver, out, database=config.database)
    _say(f"    done in {time.perf_counter() - t0:.1f} s")
    return config


def is_demo_build(manifest: Any) -> bool:
    """Whether a Build node's manifest (JSON text) is a build of the bundled sample alone."""
    try:
        inputs = json.loads(manifest)["inputs"]
        return bool(inputs) and all(
            Path(str(i["path"])).parts[-3:] == (*SAMPLE_DIR, SAMPLE) for i in inputs)
    except (TypeError, ValueError, KeyError):
        return False


def check_replaceable(driver: Any, config: GraphConfig) -> None:
    """UserError unless the demo may write into `config.database`: empty, or holding only
    builds of the bundled sample (a load makes the graph equal to its artifacts, so loading
    the demo over another build would delete that build's models)."""
    import neo4j

    with driver.session(database=config.database,
                        default_access_mode=neo4j.READ_ACCESS) as session:
        builds = [(r["id"], r["manifest"]) for r in session.run(
            "MATCH (b:Build) RETURN b.id AS id, b.manifest AS manifest ORDER BY b.id")]
        models = session.run("MATCH (m:Model) RETURN count(m) AS n").single()["n"]
    other = [bid for bid, manifest in builds if not is_demo_build(manifest)]
    if not other and (builds or not models):
        return
    what = f"build {other[-1]}" if other else "models loaded without a build record"
    where = f"database {config.database or '(default)'} at {config.uri}"
    hint = ("set NEO4J_DATABASE to an empty database, or unset NEO4J_URI to use the local "
            "server's own `demo` database" if os.environ.get("NEO4J_URI")
            else f"it is the demo's own database: remove its builds or the `{DEMO_DATABASE}` "
                 "database to run the demo")
    raise UserError(f"{where} holds another graph ({what}, {models:,} models); the demo would "
                    f"replace it, so it stops here: {hint}")
