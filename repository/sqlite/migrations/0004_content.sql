-- Documents a repository answers from (content.Document) and their passages
-- (content.Chunk) with their embeddings. Same conventions as 0001: UTC
-- RFC 3339 text times.

-- text is last so that listings, which leave it out, skip its overflow
-- pages.
CREATE TABLE content_documents (
    id              INTEGER PRIMARY KEY,
    repository_uuid TEXT NOT NULL REFERENCES repositories (uuid) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    source          TEXT NOT NULL DEFAULT '',
    language        TEXT NOT NULL DEFAULT '',
    chars           INTEGER NOT NULL,        -- runes in text
    created_at      TEXT NOT NULL,
    text            TEXT NOT NULL
) STRICT;

-- Listing newest first; the rowid that every index ends with breaks ties.
CREATE INDEX content_documents_repository ON content_documents (repository_uuid, created_at);

-- start_rune and end_rune are rune offsets in the document's text. vector
-- is the embedding as little-endian float32s, empty when there is none;
-- embedder names what made it.
CREATE TABLE content_chunks (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES content_documents (id) ON DELETE CASCADE,
    ordinal     INTEGER NOT NULL,
    start_rune  INTEGER NOT NULL,
    end_rune    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    embedder    TEXT NOT NULL DEFAULT '',
    vector      BLOB NOT NULL DEFAULT X''
) STRICT;

-- Serves reading a document's chunks in order and the cascade from
-- content_documents.
CREATE UNIQUE INDEX content_chunks_document ON content_chunks (document_id, ordinal);
