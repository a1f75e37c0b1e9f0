"""Every hyperparameter of `constellation build`, in one place.

Defaults were chosen by measurement (sweep in `bench/results/loader.md`): agreement with declared
lineage and modularity on `../shared/data/hf-dep-network-analysis`, and inspection of the
Constellation families.

Usage::

    params = BuildParams(k=15, threshold=0.5)
    params.to_dict()  # recorded in manifest.json
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from constellation.errors import UserError

# `communities`: "igraph" = igraph's compiled multilevel Louvain; "louvain" = python-louvain on a
# networkx graph, the paper's implementation (extra `paper`; far slower at scale)
COMMUNITY_METHODS = ("igraph", "louvain")


@dataclass(frozen=True)
class BuildParams:
    # vectors: word uni+bi-grams of the name tokens, char n-grams inside words, owner one-hot
    word_ngram_max: int = 2
    # 4-grams only: same agreement with lineage as 3-4-grams (score 0.563 vs 0.566, within
    # Louvain's seed noise) at half the multiply-adds of the similarity product
    # (bench/results/loader_sweep.md)
    char_ngram_min: int = 4
    char_ngram_max: int = 4
    word_weight: float = 1.0
    char_weight: float = 0.5
    # Owner one-hot. Off by default: any weight lowered agreement with declared lineage (parents
    # and children mostly have different owners); labels still name a group's owner.
    owner_weight: float = 0.0
    sublinear_tf: bool = True
    # edges: each model's top-k cosine neighbours above the threshold (union of both directions)
    k: int = 10
    threshold: float = 0.4
    # candidate generation at scale: features in more than this many names are left out of the
    # sparse product (they make it quadratic) but count in the exact rescoring of candidates;
    # each name keeps at least `min_candidate_features` of its rarest features. Pool and
    # features per name: recall of the exact top-k vs cost at 1M (bench/results/edges.md)
    exact_budget: float = 5e9  # sum(df^2) up to which the product stays exact (~30k names)
    max_candidate_df: int = 500
    min_candidate_features: int = 4
    candidates: int = 20  # candidates per row rescored exactly
    candidate_pool: int = 100  # the rest of these only where they could enter the top k
    chunk_rows: int = 20000
    n_threads: int = 2
    # communities
    communities: str = "igraph"
    seed: int = 42
    resolution: float = 1.0
    # models whose name matches no other name are grouped by owner (`huggingtweets/<handle>`)
    isolated_by_owner: bool = True
    # hierarchy: flat clusters cut at these single-linkage distances (level 0 = finest)
    # (single linkage chains: at 0.5 one cluster held a third of the Constellation names)
    cluster_levels: tuple[float, ...] = (0.2, 0.3, 0.4)
    # labels
    label_terms: int = 3
    min_term_share: float = 0.05  # a family's term is in at least this share of its models
    top_terms: int = 10
    top_words: int = 200

    def __post_init__(self) -> None:
        checks = {
            "k": self.k >= 1,
            "threshold": 0.0 < self.threshold < 1.0,
            "word_weight": self.word_weight >= 0,
            "char_weight": self.char_weight >= 0,
            "owner_weight": self.owner_weight >= 0,
            "chunk_rows": self.chunk_rows >= 1,
            "n_threads": self.n_threads >= 1,
            "cluster_levels": len(self.cluster_levels) >= 1
            and 0 < self.cluster_levels[0]
            and self.cluster_levels[-1] < 1
            and all(
                a < b
                for a, b in zip(self.cluster_levels[:-1], self.cluster_levels[1:], strict=True)
            ),
            "candidates": self.candidates >= self.k,
            "candidate_pool": self.candidate_pool >= self.candidates,
            "communities": self.communities in COMMUNITY_METHODS,
            "char_ngram_max": self.char_ngram_max >= self.char_ngram_min >= 1,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            values = ", ".join(f"{name}={getattr(self, name)!r}" for name in bad)
            raise UserError(f"invalid build parameter(s): {values}")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["cluster_levels"] = list(self.cluster_levels)
        return d

    def with_overrides(self, **overrides) -> BuildParams:
        """Copy with the given (non-None) values replaced; unknown names are a UserError."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise UserError(f"unknown build parameter(s): {', '.join(sorted(unknown))}")
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})
