"""The tree's layout: every package ships, one table lists every command, commands start light."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from constellation.cli import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[1]


def _subcommands(parser) -> set[str]:
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    return set(sub.choices)


def test_every_package_folder_is_listed_in_pyproject():
    """A sub-package missing from [tool.setuptools] packages is left out of `pip install .`."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {
        dotted: Path(folder) for dotted, folder in config["package-dir"].items()
    }
    expected = set()
    for dotted, folder in folders.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            expected.add(".".join((dotted, *rel)))
    assert expected - set(config["packages"]) == set()


def test_one_table_lists_every_command():
    assert _subcommands(build_parser()) == set(COMMANDS)
    for name in COMMANDS:  # each entry adds exactly its own command
        assert _subcommands(build_parser(name)) == {name}


def test_build_imports_only_its_own_parser():
    """`constellation build` must not pay for the graph driver, the Hub client or Dash."""
    code = (
        "import sys; from constellation.cli import build_parser; build_parser('build'); "
        "print(' '.join(m for m in ('neo4j', 'huggingface_hub', 'dash', 'pandas', "
        "'constellation.loader.graph', 'constellation.queries') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
