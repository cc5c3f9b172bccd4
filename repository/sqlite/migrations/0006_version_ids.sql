-- A deleted version's ID is never given to another version. SQLite gives a
-- new row the largest ID + 1, so deleting the newest version and creating
-- another reused its ID, and whatever still named the old one (a training
-- that finishes after the deletion, a client's version_id, a log being
-- written) landed on the new version. The largest ID ever deleted is kept
-- here (also when a repository's deletion cascades to its versions) and new
-- versions are numbered above it.
CREATE TABLE id_watermarks (
    tbl    TEXT PRIMARY KEY,
    max_id INTEGER NOT NULL
) STRICT;

CREATE TRIGGER versions_keep_ids BEFORE DELETE ON versions
BEGIN
    INSERT INTO id_watermarks (tbl, max_id) VALUES ('versions', OLD.id)
    ON CONFLICT (tbl) DO UPDATE SET max_id = MAX(max_id, excluded.max_id);
END;
