-- Repositories, versions, examples with their entity spans, dataset
-- revisions, tokens, jobs and models. Times are UTC text in RFC 3339 with
-- nanoseconds ("2025-01-02T03:04:05.123456789Z"); booleans are 0/1.

CREATE TABLE repositories (
    uuid            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    name_folded     TEXT NOT NULL,           -- nlu.Fold(name), for Query
    description     TEXT NOT NULL DEFAULT '',
    language        TEXT NOT NULL,
    languages       TEXT NOT NULL,           -- JSON array, main language first
    threshold       REAL NOT NULL,
    builtin_intents INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

CREATE INDEX repositories_created ON repositories (created_at);

CREATE TABLE versions (
    id              INTEGER PRIMARY KEY,
    repository_uuid TEXT NOT NULL REFERENCES repositories (uuid) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    is_default      INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    UNIQUE (repository_uuid, name)
) STRICT;

CREATE UNIQUE INDEX versions_one_default ON versions (repository_uuid) WHERE is_default = 1;

CREATE TABLE examples (
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

CREATE UNIQUE INDEX examples_text ON examples (version_id, language, text);
CREATE INDEX examples_intent ON examples (version_id, intent);
CREATE INDEX examples_repository ON examples (repository_uuid, language);

-- Spans never overlap, so (example_id, start_pos) identifies one.
CREATE TABLE example_entities (
    example_id INTEGER NOT NULL REFERENCES examples (id) ON DELETE CASCADE,
    start_pos  INTEGER NOT NULL,
    end_pos    INTEGER NOT NULL,
    entity     TEXT NOT NULL,
    grp        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (example_id, start_pos)
) STRICT, WITHOUT ROWID;

CREATE INDEX example_entities_entity ON example_entities (entity);
CREATE INDEX example_entities_group ON example_entities (grp) WHERE grp <> '';

CREATE TABLE dataset_revisions (
    version_id INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    language   TEXT NOT NULL,
    revision   INTEGER NOT NULL,
    PRIMARY KEY (version_id, language)
) STRICT, WITHOUT ROWID;

CREATE TABLE tokens (
    id              TEXT PRIMARY KEY,
    repository_uuid TEXT NOT NULL REFERENCES repositories (uuid) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL,
    secret_hash     BLOB NOT NULL UNIQUE,    -- SHA-256 of the secret
    created_at      TEXT NOT NULL,
    last_used_at    TEXT,
    revoked_at      TEXT
) STRICT;

CREATE INDEX tokens_repository ON tokens (repository_uuid, created_at);

CREATE TABLE models (
    id              INTEGER PRIMARY KEY,
    repository_uuid TEXT NOT NULL REFERENCES repositories (uuid) ON DELETE CASCADE,
    version_id      INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    language        TEXT NOT NULL,
    data            BLOB NOT NULL,
    size            INTEGER NOT NULL,
    revision        INTEGER NOT NULL,
    trained_at      TEXT NOT NULL
) STRICT;

CREATE INDEX models_latest ON models (version_id, language, revision, id);
CREATE INDEX models_repository ON models (repository_uuid);

CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    repository_uuid TEXT NOT NULL REFERENCES repositories (uuid) ON DELETE CASCADE,
    version_id      INTEGER NOT NULL REFERENCES versions (id) ON DELETE CASCADE,
    language        TEXT NOT NULL,
    status          TEXT NOT NULL,
    progress        REAL NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    started_at      TEXT,
    finished_at     TEXT,
    model_id        INTEGER REFERENCES models (id) ON DELETE SET NULL
) STRICT;

CREATE INDEX jobs_repository ON jobs (repository_uuid, created_at);
CREATE INDEX jobs_active ON jobs (status, created_at) WHERE status IN ('queued', 'running');
CREATE UNIQUE INDEX jobs_one_queued ON jobs (version_id, language, kind) WHERE status = 'queued';
