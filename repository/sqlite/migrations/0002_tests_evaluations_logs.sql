-- Test sentences, evaluations with their per-sentence results, interaction
-- logs, and how long each repository keeps its logs. Same conventions as
-- 0001: UTC RFC 3339 text times, 0/1 booleans.

-- Days of logs to keep; 0 keeps them forever.
ALTER TABLE repositories ADD COLUMN log_retention_days INTEGER NOT NULL DEFAULT 30;

-- Held-out sentences, the twin of examples: same columns, same uniqueness
-- within a version and language (a text may be both an example and a test
-- sentence).
CREATE TABLE test_sentences (
    id              INTEGER PRIMARY KEY,
    repository_uuid TEXT NOT NULL REFERENCES repositories (uuid) ON DELETE CASCADE,
    version_id      INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    text            TEXT NOT NULL,
    text_folded     TEXT NOT NULL,           -- nlu.Fold(text), for Query
    language        TEXT NOT NULL,
    intent          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

CREATE UNIQUE INDEX test_sentences_text ON test_sentences (version_id, language, text);
CREATE INDEX test_sentences_intent ON test_sentences (version_id, intent);
CREATE INDEX test_sentences_repository ON test_sentences (repository_uuid, language);

CREATE TABLE test_sentence_entities (
    test_sentence_id INTEGER NOT NULL REFERENCES test_sentences (id) ON DELETE CASCADE,
    start_pos        INTEGER NOT NULL,
    end_pos          INTEGER NOT NULL,
    entity           TEXT NOT NULL,
    grp              TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (test_sentence_id, start_pos)
) STRICT, WITHOUT ROWID;

CREATE INDEX test_sentence_entities_entity ON test_sentence_entities (entity);

-- The summary is columns, to list and compare evaluations; the report is an
-- opaque JSON document, last so that reading the other columns skips its
-- overflow pages. job_id has no foreign key: an evaluation outlives the job
-- record and may be run without one.
CREATE TABLE evaluations (
    id                 INTEGER PRIMARY KEY,
    repository_uuid    TEXT NOT NULL REFERENCES repositories (uuid) ON DELETE CASCADE,
    version_id         INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    language           TEXT NOT NULL,
    mode               TEXT NOT NULL,        -- test_set, cross_validation
    folds              INTEGER NOT NULL DEFAULT 0,
    job_id             TEXT NOT NULL DEFAULT '',
    model_id           INTEGER REFERENCES models (id) ON DELETE SET NULL,
    n                  INTEGER NOT NULL,
    accuracy           REAL NOT NULL,
    macro_precision    REAL NOT NULL,
    macro_recall       REAL NOT NULL,
    macro_f1           REAL NOT NULL,
    weighted_precision REAL NOT NULL,
    weighted_recall    REAL NOT NULL,
    weighted_f1        REAL NOT NULL,
    entity_f1          REAL NOT NULL,
    has_entities       INTEGER NOT NULL,
    created_at         TEXT NOT NULL,
    report             BLOB NOT NULL
) STRICT;

CREATE INDEX evaluations_repository ON evaluations (repository_uuid, created_at);
CREATE INDEX evaluations_version ON evaluations (version_id);
CREATE INDEX evaluations_model ON evaluations (model_id) WHERE model_id IS NOT NULL;

CREATE TABLE evaluation_results (
    evaluation_id INTEGER NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    text          TEXT NOT NULL,
    expected      TEXT NOT NULL,
    predicted     TEXT NOT NULL,
    confidence    REAL NOT NULL,
    success       INTEGER NOT NULL,
    entities      TEXT,                      -- opaque JSON; NULL when none
    PRIMARY KEY (evaluation_id, idx)
) STRICT;

-- One row per classification, written in batches by a background writer.
-- version_id and model_id have no foreign keys: each would cost every insert
-- a lookup, and version_id would need its own index for the cascade; the
-- repository's cascade removes a version's logs with it, and a log keeps the
-- ID of a model that may be gone.
CREATE TABLE logs (
    id              INTEGER PRIMARY KEY,
    repository_uuid TEXT NOT NULL REFERENCES repositories (uuid) ON DELETE CASCADE,
    version_id      INTEGER NOT NULL,
    language        TEXT NOT NULL,
    text            TEXT NOT NULL,
    text_folded     TEXT NOT NULL,           -- nlu.Fold(text), for Query
    intent          TEXT NOT NULL,           -- '' when out of scope
    confidence      REAL NOT NULL,
    ranking         TEXT NOT NULL,           -- JSON array of nlu.Scored
    entities        TEXT NOT NULL,           -- JSON array of nlu.Entity
    out_of_scope    INTEGER NOT NULL,
    model_id        INTEGER NOT NULL DEFAULT 0,
    token_id        TEXT NOT NULL DEFAULT '',
    user_agent      TEXT NOT NULL DEFAULT '',
    route           TEXT NOT NULL,
    duration_us     INTEGER NOT NULL,
    created_at      TEXT NOT NULL
) STRICT;

-- The only index: listing, filtering by time and retention all start from a
-- repository, and every further index costs each insert about a tenth more.
CREATE INDEX logs_repository ON logs (repository_uuid, created_at);
