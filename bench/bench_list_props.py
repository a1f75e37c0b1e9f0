"""What a list property costs the local engine against the same values as text (issue 11).

    python bench/bench_list_props.py --nodes 1000 --items 1000

In a new database of the local server it writes `--nodes` nodes, each with `--items` model-id
-like strings and as many integers (a Posting chunk of the search index), three ways through
`UNWIND … MERGE … SET` in batches of 50: both as lists, both as one text each (ids one a line,
integers separated by spaces) and ids as text with the integers as a list; then reads 50 nodes
one `MATCH` at a time (lists as they are, texts through `split()`). Each write is run twice
(`--rounds`); prints seconds per write and milliseconds per read. The database is dropped at the
end. Measured 2026-11-30 (docs/arcadedb-notes.md): lists 3.9–4.5 s, texts 0.7 s, ids as text
2.2 s; reads 1.8 ms as lists, 1.1 ms as text.
"""

from __future__ import annotations

import argparse
import random
import secrets
import string
import time
from dataclasses import replace
from typing import Any

from constellation import server
from constellation.graph import connect

WRITE = "UNWIND $rows AS r MERGE (n:{label} {{id: r.id}}) SET n.ids = r.ids, n.downloads = r.dl"
SHAPES = {  # label -> how a chunk's ids and integers are sent
    "AsLists": (list, list),
    "AsText": ("\n".join, lambda dl: " ".join(map(str, dl))),
    "IdsAsText": ("\n".join, list),
}
READ = {
    "AsLists": "n.ids",
    "AsText": "split(n.ids, '\\n')",
    "IdsAsText": "split(n.ids, '\\n')",
}


def _chunks(nodes: int, items: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)

    def model_id() -> str:
        owner = "".join(rng.choices(string.ascii_lowercase, k=10))
        return owner + "/" + "".join(rng.choices(string.ascii_lowercase + "-", k=25))

    return [{"id": f"w{i}#1", "ids": [model_id() for _ in range(items)],
             "dl": [rng.randint(0, 10**6) for _ in range(items)]}
            for i in range(nodes)]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    chunks = _chunks(args.nodes, args.items, args.seed)
    name = f"bench_{secrets.token_hex(3)}"
    server.create_database(name)
    config = replace(server.ensure_running(), database=name)
    try:
        with connect(config) as driver, driver.session(database=name) as session:
            for label in SHAPES:
                session.run(f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS "
                            f"FOR (n:{label}) REQUIRE n.id IS UNIQUE").consume()  # fmt: skip
            for round_ in range(args.rounds):
                for label, (ids, dl) in SHAPES.items():
                    rows = [{"id": c["id"], "ids": ids(c["ids"]), "dl": dl(c["dl"])}
                            for c in chunks]  # fmt: skip
                    t = time.perf_counter()
                    for lo in range(0, len(rows), 50):
                        part = rows[lo:lo + 50]
                        session.execute_write(
                            lambda tx, part=part, label=label: tx.run(
                                WRITE.format(label=label), rows=part).consume())  # fmt: skip
                    print(f"round {round_ + 1}: {label}: write {time.perf_counter() - t:.2f} s")
            for label, expr in READ.items():
                reads = min(50, len(chunks))
                t = time.perf_counter()
                for c in chunks[:reads]:
                    session.run(f"MATCH (n:{label} {{id: $id}}) RETURN size({expr}) AS k",
                                id=c["id"]).single()  # fmt: skip
                print(f"{label}: read {(time.perf_counter() - t) * 1000 / reads:.2f} ms a node")
    finally:
        server.drop_database(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
