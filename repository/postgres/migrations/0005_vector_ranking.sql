-- Passages are ranked by embedding in the database (content.VectorSearcher).
-- Keep each vector in its row (MAIN: inline whenever it fits a page, which
-- 1,536 dimensions do) instead of TOAST, where every comparison was a
-- separate fetch (20× slower on 2,000 passages of 512 dimensions), and store
-- its number of dimensions, so that ranking compares only vectors of the
-- query's size without computing it per row. Adding the column rewrites the
-- table, which moves existing vectors inline.
ALTER TABLE content_chunks ALTER COLUMN vector SET STORAGE MAIN;
ALTER TABLE content_chunks ADD COLUMN dims integer GENERATED ALWAYS AS (vector_dims(vector)) STORED;
