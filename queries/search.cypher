// search: models whose id holds the typed words (case-insensitive): the exact id first, then by downloads, then how well they match.
// @param q string  Words of a model id, e.g. `vicuna-7b`, `pythia` or `EleutherAI/pythia`
// @param skip int(0..) = 0  Rows to skip (paging)
// @param limit int(1..1000) = 20  Rows per page
// @param pipeline_tag string = null  Only models with this pipeline tag
// @param license string = null  Only models with this license
// @param min_downloads int(0..) = 0  Only models with at least this many downloads
// @param created_from date = null  Only models created on/after this date
// @param created_to date(end) = null  Only models created on/before this date (a whole day when date-only)
// The text is split into words at / - _ and spaces (as the loader splits ids). A model matches
// when each word begins a word of its id (`llama-2` finds Llama-2-7b, not Llama-3.2-1B), the
// last one possibly half typed; a single word of 3+ letters also finds the words it begins
// (`vicu` finds vicuna). Why a row matched: `match` 0 the id or name equals the text, 1 the name
// starts with it, 2 the id starts with it, 3 the id contains it, 4 the id holds each word;
// `words` are the typed words, for highlighting. As on the Hub the canonical model leads: the exact id, then
// popularity; `match` only breaks ties (a 1-download copy named exactly `vicuna-7b` does not
// lead). The loader's word index answers it (Term and Posting nodes: each word's models, most
// downloaded first; docs/design.md, "Graph"): the rarest whole word's models are read in that
// order until a page is full, so no query reads every id.
WITH toLower(trim($q)) AS q
WITH q, [w IN split(replace(replace(replace(q, '/', ' '), '-', ' '), '_', ' '), ' ')
         WHERE w <> ''] AS words
// The last word may be half typed: it is a whole word only when it is the only one.
WITH q, words, CASE WHEN size(words) > 1 THEN words[..size(words) - 1] ELSE words END AS whole,
     trim($q) AS typed, words[size(words) - 1] AS last
// (ArcadeDB uses an index for a bound variable, not for an expression inside a pattern, nor for
// STARTS WITH on a variable: hence the bound names and the 3-letter `prefix` lookups)
CALL {
  // the id exactly as typed (an index lookup)
  WITH typed
  MATCH (m:Model {id: typed})
  RETURN m.id AS id
  UNION
  // the rarest whole word's models, most downloaded first, until enough hold every word; none
  // when a whole word is no word of any id, or no word begins with the last one
  // (a single word is whole; a last word that is a word needs no look at the words it begins:
  // some 3-letter beginnings start 5,000+ words, 15-40 ms to read; '' is no Term's prefix)
  WITH words, whole, last
  OPTIONAL MATCH (e:Term {id: last})
  WITH words, whole, last, e.n AS en, e IS NOT NULL OR size(words) = 1 OR size(last) < 3 AS known
  WITH words, whole, last, en, known,
       CASE WHEN known THEN '' ELSE substring(last, 0, 3) END AS p3
  OPTIONAL MATCH (x:Term {prefix: p3})
  WITH words, whole, last, en, known,
       any(id IN collect(x.id) WHERE id STARTS WITH last) AS begun
  WHERE known OR begun
  UNWIND whole AS w
  MATCH (t:Term {id: w})
  WITH words, whole, last, en, collect(t) AS ts
  WHERE all(w IN whole WHERE any(t IN ts WHERE t.id = w))
  WITH words, last, en, ts, [x IN ts | [x.id, x.n]] AS counts
  UNWIND ts AS t
  WITH words, last, en, counts, t
  ORDER BY t.n, t.id
  LIMIT 1
  // every id in the list holds the Term's word: only the other words are checked, first by a
  // plain CONTAINS of the rarest of them (a half-typed last word counts as rare), much cheaper
  // than the word check, which then runs on few ids (`instruct 7b zzz`: 83k ids, 170 -> 40 ms)
  // (a word of 1-2 letters is in too many ids to sort any out)
  WITH words, t, [w IN words WHERE w <> t.id] AS rest,
       counts + [[last, coalesce(en, 0)]] AS counts
  WITH words, t, rest, [w IN rest | [w, CASE WHEN size(w) < 3 THEN 1000000000000
                                         ELSE head([c IN counts WHERE c[0] = w | c[1]]) END]] AS ns
  WITH words, t, rest,
       reduce(best = ['', -1], x IN ns |
              CASE WHEN best[1] < 0 OR x[1] < best[1] THEN x ELSE best END)[0] AS w1
  // each chunk is read only while the page is not full (reduce stops calling for more); with a
  // filter on the model itself, every chunk (its hits may fail it)
  // a word without Posting chunks looks up `word#0`, which is none: `{id: null}` would read
  // every Posting (45 ms at 1M)
  UNWIND (CASE WHEN t.chunks > 1 THEN range(1, t.chunks - 1) ELSE [0] END) AS c
  WITH rest, w1, t, t.id + '#' + toString(c) AS key
  OPTIONAL MATCH (p:Posting {id: key})
  WITH rest, w1, t, collect(p) AS posts,
       CASE WHEN $pipeline_tag IS NULL AND $license IS NULL AND $created_from IS NULL
            AND $created_to IS NULL THEN $skip + $limit ELSE 1000000000 END AS need
  // the Term holds the first chunk itself (`ids`, `downloads` lists; it has `n`), a Posting the
  // others as text (ids one a line, downloads separated by spaces: cheaper to write, and a
  // refresh rewrites most of them), split only when read. A chunk's ids are read as a whole
  // list, never as `p.ids[i]` (ArcadeDB copies the property at each index: ~50 µs a time,
  // 1,000 ids 50 ms); its downloads fall, so `min_downloads` keeps a prefix
  WITH rest, w1, need, [t] + posts AS chunks
  WITH reduce(acc = [], p IN chunks | CASE WHEN size(acc) >= need THEN acc ELSE acc + [
                  id IN CASE WHEN p.n IS NOT NULL AND $min_downloads <= 0 THEN p.ids
                             WHEN p.n IS NOT NULL
                             THEN p.ids[..size([d IN p.downloads WHERE d >= $min_downloads])]
                             WHEN $min_downloads <= 0 THEN split(p.ids, '\n')
                             ELSE split(p.ids, '\n')[..size([d IN split(p.downloads, ' ')
                                                           WHERE toInteger(d) >= $min_downloads])]
                             END
                  WHERE toLower(id) CONTAINS w1
                    AND all(w IN rest WHERE ' ' + replace(replace(replace(
                        toLower(id), '/', ' '), '-', ' '), '_', ' ') CONTAINS ' ' + w)] END) AS hits
  UNWIND hits AS hid
  MATCH (m:Model {id: hid})
  WHERE ($pipeline_tag IS NULL OR m.pipeline_tag = $pipeline_tag)
    AND ($license IS NULL OR m.license = $license)
    AND ($created_from IS NULL OR m.created_at >= $created_from)
    AND ($created_to IS NULL OR m.created_at <= $created_to)
  WITH m
  LIMIT $skip + $limit
  RETURN m.id AS id
  UNION
  // one word of 3+ letters: the most downloaded models of the 20 words it begins that hold the
  // most downloaded models (each word's first models are on its Term)
  WITH words, last
  WITH last, substring(last, 0, 3) AS p3 WHERE size(words) = 1 AND size(last) >= 3
  MATCH (t:Term {prefix: p3})
  WHERE t.id STARTS WITH last
  WITH t
  ORDER BY t.best DESC, t.id
  LIMIT 20
  // each Term's ids fall in downloads: without a filter on the model only the first page of
  // each can be on the page; the lists are bound before indexing (see above)
  WITH t.ids AS tids, t.downloads AS tdl
  WITH tids, tdl, CASE WHEN $pipeline_tag IS NULL AND $license IS NULL AND $created_from IS NULL
                       AND $created_to IS NULL THEN $skip + $limit ELSE size(tids) END AS per
  UNWIND range(0, CASE WHEN per < size(tids) THEN per ELSE size(tids) END - 1) AS i
  WITH tids[i] AS id, tdl[i] AS dl
  WHERE CASE WHEN dl < 0 THEN 0 ELSE dl END >= $min_downloads
  WITH DISTINCT id, dl
  ORDER BY dl DESC, id
  // without a filter on the model only the page's candidates are looked up
  WITH collect(id) AS ids
  UNWIND (CASE WHEN $pipeline_tag IS NULL AND $license IS NULL AND $created_from IS NULL
               AND $created_to IS NULL THEN ids[..$skip + $limit] ELSE ids END) AS id
  MATCH (m:Model {id: id})
  WHERE ($pipeline_tag IS NULL OR m.pipeline_tag = $pipeline_tag)
    AND ($license IS NULL OR m.license = $license)
    AND ($created_from IS NULL OR m.created_at >= $created_from)
    AND ($created_to IS NULL OR m.created_at <= $created_to)
  WITH m
  LIMIT $skip + $limit
  RETURN m.id AS id
}
WITH DISTINCT id, q, words
MATCH (m:Model {id: id})
WHERE ($pipeline_tag IS NULL OR m.pipeline_tag = $pipeline_tag)
  AND ($license IS NULL OR m.license = $license)
  AND coalesce(m.downloads, 0) >= $min_downloads
  AND ($created_from IS NULL OR m.created_at >= $created_from)
  AND ($created_to IS NULL OR m.created_at <= $created_to)
WITH m, q, words, toLower(m.id) AS lid, toLower(m.name) AS lname
WITH m, words, lid = q AS exact, CASE WHEN lid = q OR lname = q THEN 0
             WHEN lname STARTS WITH q THEN 1
             WHEN lid STARTS WITH q THEN 2
             WHEN lid CONTAINS q THEN 3
             ELSE 4 END AS match
ORDER BY exact DESC, coalesce(m.downloads, -1) DESC, match, m.id
SKIP $skip LIMIT $limit
RETURN m.id AS id, m.name AS name, m.author AS author, m.downloads AS downloads,
       m.likes AS likes, m.pipeline_tag AS pipeline_tag, m.license AS license,
       m.created_at AS created_at, m.family AS family, match, words
