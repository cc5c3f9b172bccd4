-- Translations: the twin of SQLite's 0005. An example may be the
-- translation of another example (its original) of the same version in
-- another language. Deleting the original deletes its translations (the
-- Store also does it explicitly, to bump the revisions of their languages).
-- An example has at most one translation per language; the index also finds
-- an example's translations.
ALTER TABLE examples ADD COLUMN translated_from bigint REFERENCES examples (id) ON DELETE CASCADE;

CREATE UNIQUE INDEX examples_translation ON examples (translated_from, language) WHERE translated_from IS NOT NULL;
