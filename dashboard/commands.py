"""`constellation serve` and `constellation demo` (heavy imports happen inside the commands).

    constellation serve [--host H] [--port 8050]   # the explorer over the configured graph
    constellation demo [--port 8050]      # local server + bundled sample + explorer
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from constellation.errors import UserError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050
SAMPLE = "models.jsonl"


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
                    "the state folder, load it and serve the explorer.",
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

    app = create_app(config)
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
    if args.no_serve:
        _say("demo graph loaded; serve it with `constellation serve`")
        return 0
    from dataclasses import replace

    from constellation import server

    # Loaded as the read-write user; served as the read-only one, whose writes the server refuses.
    reader = server.local_config(read_only=True)
    serve(replace(reader, database=config.database) if reader else config,
          host=args.host, port=args.port)
    return 0


def prepare_demo():
    """Start the local server, build the sample into the state folder, load it; its config."""
    import time

    from constellation.loader.graph.writer import load_artifacts
    from constellation.loader.pipeline.build import build

    from constellation import server
    from constellation.graph import connect

    t0 = time.perf_counter()
    _say("1/3 starting the local graph server (first start takes a few seconds)…")
    config = server.ensure_running()
    _say(f"    graph server ready at {config.uri} (database {config.database})")
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
    _say("3/3 loading it into the graph…")
    with connect(config) as driver:
        load_artifacts(driver, out, database=config.database)
    _say(f"    done in {time.perf_counter() - t0:.1f} s")
    return config
