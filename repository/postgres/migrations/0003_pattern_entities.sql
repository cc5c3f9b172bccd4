-- Entities a user declares with a regex or a list of values with synonyms,
-- as a JSON array of nlu.PatternEntity. They apply at classification time,
-- so changing them needs no training.
ALTER TABLE repositories ADD COLUMN pattern_entities jsonb NOT NULL DEFAULT '[]';
