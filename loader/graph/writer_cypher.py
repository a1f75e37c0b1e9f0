"""Every Cypher statement the graph writer (`loader/graph/writer.py`) sends, in one place.

Portable Cypher only (Neo4j 5 and ArcadeDB over Bolt): no APOC, parameters for every value; the
only text spliced into statements is fixed labels and property names checked to be plain
identifiers. Each batch statement runs inside a managed write transaction.
"""

from __future__ import annotations

# rows per UNWIND statement (one managed transaction each); here, not in writer.py, so the CLI
# can show it in `--help` without importing pandas
DEFAULT_BATCH_SIZE = 10000

# --- schema: constraints before any MERGE ---------------------------------------------------

CONSTRAINTS = [
    "CREATE CONSTRAINT model_id IF NOT EXISTS FOR (n:Model) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT author_name IF NOT EXISTS FOR (n:Author) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT tag_name IF NOT EXISTS FOR (n:Tag) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT license_name IF NOT EXISTS FOR (n:License) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT library_name IF NOT EXISTS FOR (n:Library) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT community_id IF NOT EXISTS FOR (n:Community) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT cluster_id IF NOT EXISTS FOR (n:Cluster) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT build_id IF NOT EXISTS FOR (n:Build) REQUIRE n.id IS UNIQUE",
    # the read-side summaries (loader/graph/summaries.py)
    "CREATE CONSTRAINT term_id IF NOT EXISTS FOR (n:Term) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT posting_id IF NOT EXISTS FOR (n:Posting) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT facet_id IF NOT EXISTS FOR (n:Facet) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT ranking_id IF NOT EXISTS FOR (n:Ranking) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT group_ranking_id IF NOT EXISTS FOR (n:GroupRanking) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT group_top_id IF NOT EXISTS FOR (n:GroupTop) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT word_id IF NOT EXISTS FOR (n:Word) REQUIRE n.id IS UNIQUE",
]
# Labels of the read-side summaries, in write order (each keyed by `id`, no relationships).
SERVING_LABELS = ("Term", "Posting", "Facet", "Ranking", "GroupRanking", "GroupTop", "Word")

INDEXES = [
    "CREATE INDEX model_name IF NOT EXISTS FOR (n:Model) ON (n.name)",
    "CREATE INDEX model_downloads IF NOT EXISTS FOR (n:Model) ON (n.downloads)",
    "CREATE INDEX model_community IF NOT EXISTS FOR (n:Model) ON (n.community)",
    "CREATE INDEX model_cluster IF NOT EXISTS FOR (n:Model) ON (n.cluster)",
    "CREATE INDEX model_author IF NOT EXISTS FOR (n:Model) ON (n.author)",
    "CREATE INDEX model_pipeline_tag IF NOT EXISTS FOR (n:Model) ON (n.pipeline_tag)",
    "CREATE INDEX model_library IF NOT EXISTS FOR (n:Model) ON (n.library_name)",
    "CREATE INDEX model_license IF NOT EXISTS FOR (n:Model) ON (n.license)",
    "CREATE INDEX model_created_at IF NOT EXISTS FOR (n:Model) ON (n.created_at)",
    "CREATE INDEX cluster_level IF NOT EXISTS FOR (n:Cluster) ON (n.level)",
    "CREATE INDEX community_size IF NOT EXISTS FOR (n:Community) ON (n.size)",
    "CREATE INDEX facet_kind IF NOT EXISTS FOR (n:Facet) ON (n.kind)",
    "CREATE INDEX term_prefix IF NOT EXISTS FOR (n:Term) ON (n.prefix)",
]

# joins (issue 14): datasets, papers, tasks, Spaces
JOIN_CONSTRAINTS = [
    "CREATE CONSTRAINT dataset_id IF NOT EXISTS FOR (n:Dataset) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT paper_arxiv_id IF NOT EXISTS FOR (n:Paper) REQUIRE n.arxiv_id IS UNIQUE",
    "CREATE CONSTRAINT task_name IF NOT EXISTS FOR (n:Task) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT space_id IF NOT EXISTS FOR (n:Space) REQUIRE n.id IS UNIQUE",
]
CONSTRAINTS = [*CONSTRAINTS, *JOIN_CONSTRAINTS]

# --- reading what is stored (for the incremental diff) --------------------------------------

COUNT_NODES = "MATCH (n:{label}) RETURN count(n) AS n"
COUNT_EDGES = "MATCH ()-[r:{type}]->() RETURN count(r) AS n"

# Key and content hashes of every node of a kind ({label} is a fixed name, never user input).
NODE_HASHES = "MATCH (n:{label}) RETURN n.{key} AS key, n.row_hash AS row_hash"

# The same for some keys of a kind keyed by `id` (a refresh's candidate summaries).
NODE_HASHES_OF = (
    "UNWIND $keys AS k MATCH (n:{label} {{id: k}}) RETURN n.id AS key, n.row_hash AS row_hash"
)

MODEL_HASHES = (
    "MATCH (n:Model) "
    "RETURN n.id AS key, n.row_hash AS row_hash, n.similar_hash AS similar_hash, "
    "n.lineage_hash AS lineage_hash"
)

# --- nodes ----------------------------------------------------------------------------------
# Batches are sent column-wise: `$key` is the list of node keys, `$p0`, `$p1`, … one list per
# property, link lists per row (`$tags[i]` is that row's tag names). Columns pack much faster in
# the driver than one map per row, and the server reads them without building maps (measured:
# bench/results/load.md). `SET n = {…}` makes the node equal to its row: properties whose value
# is null, or that the artifacts no longer have, disappear.


def props_map(names: list[str]) -> str:
    """`{`name`: $p0[i], …}` for property names already checked to be plain identifiers."""
    return "{" + ", ".join(f"`{name}`: $p{n}[i]" for n, name in enumerate(names)) + "}"


def upsert_plain(label: str, names: list[str]) -> str:
    """Nodes keyed by `id` that own no relationships (Community, the summaries); `label` is
    one of the fixed labels above."""
    return (
        "UNWIND range(0, size($key) - 1) AS i "
        f"MERGE (n:{label} {{id: $key[i]}}) SET n = {props_map(names)}"
    )


def upsert_communities(names: list[str]) -> str:
    return upsert_plain("Community", names)


def upsert_clusters(names: list[str]) -> str:
    # $parent[i] is [] or [parent id]; a parent not written yet is merged now, filled by its row.
    return (
        "UNWIND range(0, size($key) - 1) AS i "
        f"MERGE (n:Cluster {{id: $key[i]}}) SET n = {props_map(names)} "
        "FOREACH (x IN $parent[i] | MERGE (q:Cluster {id: x}) CREATE (n)-[:CHILD_OF]->(q))"
    )


def update_clusters(names: list[str]) -> str:
    """A stored cluster's properties only, its CHILD_OF link kept (a refresh: a downloads
    change rewrites the totals of every cluster above a changed model)."""
    return (
        "UNWIND range(0, size($key) - 1) AS i "
        f"MATCH (n:Cluster {{id: $key[i]}}) SET n = {props_map(names)}"
    )


def set_props(label: str, names: list[str], changed: tuple[str, ...]) -> str:
    """Only these properties of a stored node keyed by `id`, from the batch's columns ($p0… in
    `names` order): a refresh, when the rest are as stored. Setting two properties of a model
    costs the server a third of rewriting its eighteen (bench/results/load.md)."""
    at = {name: n for n, name in enumerate(names)}
    sets = ", ".join(f"n.`{name}` = $p{at[name]}[i]" for name in changed)
    return f"UNWIND range(0, size($key) - 1) AS i MATCH (n:{label} {{id: $key[i]}}) SET {sets}"


def _set_model(names: list[str]) -> str:
    """A model row's properties written over the node's, the hashes of the edges it owns kept
    (each is set with its edges, in their transaction)."""
    return f"""WITH m, i, m.similar_hash AS similar_hash, m.lineage_hash AS lineage_hash,
     m.inferred_hash AS inferred_hash
SET m = {props_map(names)}
SET m.similar_hash = similar_hash, m.lineage_hash = lineage_hash,
    m.inferred_hash = inferred_hash"""


def upsert_models(names: list[str]) -> str:
    """A model row with the relationships it owns. Link lists hold 0..n names/ids, so a missing
    value writes no relationship. The edge hashes (SIMILAR_TO/BASED_ON bookkeeping) survive."""
    return f"""
UNWIND range(0, size($key) - 1) AS i
MERGE (m:Model {{id: $key[i]}})
{_set_model(names)}
FOREACH (x IN $author[i] | MERGE (t:Author {{name: x}}) CREATE (m)-[:PUBLISHED_BY]->(t))
FOREACH (x IN $tags[i] | MERGE (t:Tag {{name: x}}) CREATE (m)-[:TAGGED]->(t))
FOREACH (x IN $license[i] | MERGE (t:License {{name: x}}) CREATE (m)-[:LICENSED_UNDER]->(t))
FOREACH (x IN $library[i] | MERGE (t:Library {{name: x}}) CREATE (m)-[:USES_LIBRARY]->(t))
FOREACH (x IN $community[i] | MERGE (g:Community {{id: x}}) CREATE (m)-[:IN_COMMUNITY]->(g))
FOREACH (x IN $cluster[i] | MERGE (g:Cluster {{id: x}}) CREATE (m)-[:IN_CLUSTER]->(g))
"""


def update_models(names: list[str]) -> str:
    """A stored model's properties only, its relationships kept (a refresh, when the model's
    links are the previous build's: a community's label change rewrites every member's
    `family`, and dropping and making again the TAGGED links of a popular tag is slow)."""
    return f"""
UNWIND range(0, size($key) - 1) AS i
MATCH (m:Model {{id: $key[i]}})
{_set_model(names)}
"""


def _relink(rel: str, param: str, target: str) -> tuple[str, str]:
    return (
        f"UNWIND $key AS k MATCH (m:Model {{id: k}})-[r:{rel}]->() DELETE r",
        f"UNWIND range(0, size($key) - 1) AS i MATCH (m:Model {{id: $key[i]}}) "
        f"FOREACH (x IN ${param}[i] | MERGE (t:{target}) CREATE (m)-[:{rel}]->(t))",
    )


# A stored model's links of one kind (its link list's name) dropped and made again, after
# `update_models`: a refresh, when only those of its links differ (a model that moved family
# keeps its TAGGED links, slow to drop and make again for a popular tag).
RELINK_MODELS = {
    name: _relink(rel, name, target) for name, rel, target in (
        ("author", "PUBLISHED_BY", "Author {name: x}"),
        ("tags", "TAGGED", "Tag {name: x}"),
        ("license", "LICENSED_UNDER", "License {name: x}"),
        ("library", "USES_LIBRARY", "Library {name: x}"),
        ("community", "IN_COMMUNITY", "Community {id: x}"),
        ("cluster", "IN_CLUSTER", "Cluster {id: x}"),
    )
}  # fmt: skip

# Relationships a stored row owns, dropped before the row is written again.
DELETE_MODEL_OWN_RELS = (
    "UNWIND $keys AS k MATCH (n:Model {id: k})"
    "-[r:PUBLISHED_BY|TAGGED|LICENSED_UNDER|USES_LIBRARY|IN_COMMUNITY|IN_CLUSTER]->() DELETE r"
)
DELETE_CLUSTER_OWN_RELS = "UNWIND $keys AS k MATCH (n:Cluster {id: k})-[r:CHILD_OF]->() DELETE r"

DELETE_NODES = "UNWIND $keys AS k MATCH (n:{label} {{{key}: k}}) DETACH DELETE n"

# Names no model points at any more (after models changed or went away).
DELETE_ORPHANS = "MATCH (t:{label}) WHERE NOT EXISTS {{ (t)<-[:{rel}]-() }} DELETE t"
# The same among some of them (a refresh: the previous link targets of the models it rewrote)
DELETE_ORPHANS_OF = (
    "UNWIND $keys AS k MATCH (t:{label} {{{key}: k}}) WHERE NOT EXISTS {{ (t)<-[:{rel}]-() }} "
    "DELETE t"
)

# --- model-to-model edges, owned by their source (SIMILAR_TO) or child (BASED_ON) -----------

# An owner's stored edges as one row: [[target, score], …] in the EdgeSet's field order. One
# Bolt record per owner, not per edge: 2.4x faster to read back (100k, 51k edges: 0.69 s against
# 1.67 s); lists of lists, not a list per field, as collect() drops nulls.
OLD_SIMILAR = (
    "UNWIND $keys AS k MATCH (a:Model {id: k})-[e:SIMILAR_TO]->(b:Model) "
    "RETURN k AS owner, collect([b.id, e.score]) AS edges"
)
# Per source (column-wise): $key[i], the hash of all its edges $hash[i], and its new edges
# $target[i][j] / $score[i][j]. The hash is set in the same transaction as the edges, so a rerun
# knows which sources are done.
CREATE_SIMILAR = """
UNWIND range(0, size($key) - 1) AS i
MATCH (a:Model {id: $key[i]})
SET a.similar_hash = $hash[i]
WITH a, i
UNWIND range(0, size($target[i]) - 1) AS j
MATCH (b:Model {id: $target[i][j]})
CREATE (a)-[:SIMILAR_TO {score: $score[i][j]}]->(b)
"""
UPDATE_SIMILAR = (
    "UNWIND $rows AS r MATCH (a:Model {id: r.source})-[e:SIMILAR_TO]->(b:Model {id: r.target}) "
    "SET e.score = r.score"
)
DELETE_SIMILAR = (
    "UNWIND $rows AS r MATCH (a:Model {id: r.source})-[e:SIMILAR_TO]->(b:Model {id: r.target}) "
    "DELETE e"
)

OLD_BASED_ON = (
    "UNWIND $keys AS k MATCH (c:Model {id: k})-[e:BASED_ON]->(p:Model) "
    "RETURN k AS owner, collect([p.id, e.relation, e.origin]) AS edges"
)
CREATE_BASED_ON = """
UNWIND range(0, size($key) - 1) AS i
MATCH (c:Model {id: $key[i]})
SET c.lineage_hash = $hash[i]
WITH c, i
UNWIND range(0, size($parent[i]) - 1) AS j
MATCH (p:Model {id: $parent[i][j]})
CREATE (c)-[:BASED_ON {relation: $relation[i][j], origin: $origin[i][j]}]->(p)
"""
UPDATE_BASED_ON = (
    "UNWIND $rows AS r MATCH (c:Model {id: r.child})-[e:BASED_ON]->(p:Model {id: r.parent}) "
    "WHERE e.relation = r.relation SET e.origin = r.origin"
)
DELETE_BASED_ON = (
    "UNWIND $rows AS r MATCH (c:Model {id: r.child})-[e:BASED_ON]->(p:Model {id: r.parent}) "
    "WHERE e.relation = r.relation DELETE e"
)

# --- joins with datasets, papers, tasks and Spaces (issue 14) -------------------------------
# A model's TRAINED_ON / CITES / FOR_TASK are links it owns, like its tags: appended to the
# model upsert (same row, same transaction) and dropped before a changed model is written again.
# $datasets[i], $papers[i], $task[i]: that row's dataset ids, arXiv ids, [pipeline tag] or [].
MODEL_JOIN_LINKS = """
FOREACH (x IN $datasets[i] | MERGE (d:Dataset {id: x}) CREATE (m)-[:TRAINED_ON]->(d))
FOREACH (x IN $papers[i] | MERGE (p:Paper {arxiv_id: x}) CREATE (m)-[:CITES]->(p))
FOREACH (x IN $task[i] | MERGE (t:Task {name: x}) CREATE (m)-[:FOR_TASK]->(t))
"""
MODEL_JOIN_RELS = "TRAINED_ON|CITES|FOR_TASK"
# Run in a transaction of its own before the models are rewritten: the row hash goes with the
# links, so a load stopped in between rewrites these models when rerun (their links back).
DELETE_MODEL_JOIN_RELS = (
    "UNWIND $keys AS k MATCH (n:Model {id: k}) SET n.row_hash = null "
    f"WITH n MATCH (n)-[r:{MODEL_JOIN_RELS}]->() DELETE r"
)


def upsert_datasets(names: list[str]) -> str:
    """Dataset nodes with the fetched listing's properties (ids alone when not fetched)."""
    return (
        "UNWIND range(0, size($key) - 1) AS i "
        f"MERGE (n:Dataset {{id: $key[i]}}) SET n = {props_map(names)}"
    )


def upsert_spaces(names: list[str]) -> str:
    """A Space and the USES links it owns; $models[i] holds only models the graph has."""
    return (
        "UNWIND range(0, size($key) - 1) AS i "
        f"MERGE (s:Space {{id: $key[i]}}) SET s = {props_map(names)} "
        "FOREACH (x IN $models[i] | MERGE (m:Model {id: x}) CREATE (s)-[:USES]->(m))"
    )


DELETE_SPACE_OWN_RELS = "UNWIND $keys AS k MATCH (n:Space {id: k})-[r:USES]->() DELETE r"
# Papers and tasks no model links to any more (label, relationship), as DELETE_ORPHANS takes them
JOIN_ORPHANS = (("Paper", "CITES"), ("Task", "FOR_TASK"))

# --- the build ------------------------------------------------------------------------------

# Status: loading -> complete; a load that raised leaves failed (with `error`) or interrupted
# (Ctrl-C); one killed stays loading. When a build completes, every other build that is not
# complete becomes abandoned. `current` marks the build the graph holds: none while a load runs.
BUILDS_NOT_CURRENT = "MATCH (b:Build) SET b.current = false"
BUILD_STARTED = (
    "MERGE (b:Build {id: $id}) "
    "SET b.status = 'loading', b.started_at = $started_at, b.manifest = $manifest, "
    "b.current = false, b.error = null, b.artifacts = $artifacts, b.files = $files"
)
# The build the graph holds, when its load completed: a refresh diffs the next build's
# artifacts against the folder it was loaded from (`artifacts`, absolute), if its files are as they
# were then (`files`: names, sizes, times; loader/graph/refresh.py).
# None while a load runs or after one stopped (no build is current then).
CURRENT_BUILD = (
    "MATCH (b:Build) WHERE b.current = true AND b.status = 'complete' "
    "AND b.bulk_unfinished IS NULL "
    "RETURN b.id AS id, b.artifacts AS artifacts, b.files AS files, b.counts AS counts"
)
BUILD_FAILED = (
    "MATCH (b:Build {id: $id}) WHERE b.status = 'loading' SET b.status = $status, b.error = $error"
)
BUILD_DONE = (
    "MATCH (b:Build) SET b.current = (b.id = $id), b.status = CASE "
    "WHEN b.id = $id OR b.status = 'complete' THEN 'complete' ELSE 'abandoned' END "
    "WITH b WHERE b.id = $id "
    "SET b.loaded_at = $loaded_at, b.counts = $counts"
)

# --- inferred lineage: LIKELY_BASED_ON, owned by its child (loader/lineage) ------------------
# Likely links are a relationship type of their own (docs/design.md, "Inferred lineage"), so no
# query over declared BASED_ON ever sees a guess. The child stores `inferred_hash` of its likely
# links, kept through a rewrite of its row like its other edge hashes (`_set_model`). A child
# without it (a graph loaded before it was kept) has its stored links read back and diffed.

# Children that hold likely links now (the stored side of the diff; a fresh graph has none).
COUNT_LIKELY = "MATCH ()-[e:LIKELY_BASED_ON]->() RETURN count(e) AS n"
LIKELY_OWNERS = (
    "MATCH (c:Model)-[:LIKELY_BASED_ON]->() "
    "RETURN DISTINCT c.id AS key, c.inferred_hash AS inferred_hash"
)
OLD_LIKELY = (
    "UNWIND $keys AS k MATCH (c:Model {id: k})-[e:LIKELY_BASED_ON]->(p:Model) "
    "RETURN k AS owner, collect([p.id, e.score, e.relation, e.rank]) AS edges"
)
CREATE_LIKELY = """
UNWIND range(0, size($key) - 1) AS i
MATCH (c:Model {id: $key[i]})
SET c.inferred_hash = $hash[i]
WITH c, i
UNWIND range(0, size($parent[i]) - 1) AS j
MATCH (p:Model {id: $parent[i][j]})
CREATE (c)-[:LIKELY_BASED_ON {
  score: $score[i][j], relation: $relation[i][j], rank: $rank[i][j]
}]->(p)
"""
UPDATE_LIKELY = (
    "UNWIND $rows AS r "
    "MATCH (c:Model {id: r.child})-[e:LIKELY_BASED_ON]->(p:Model {id: r.parent}) "
    "SET e.score = r.score, e.relation = r.relation, e.rank = r.rank"
)
DELETE_LIKELY = (
    "UNWIND $rows AS r "
    "MATCH (c:Model {id: r.child})-[e:LIKELY_BASED_ON]->(p:Model {id: r.parent}) DELETE e"
)
