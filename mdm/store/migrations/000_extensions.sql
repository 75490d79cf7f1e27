-- The extensions the MDM's SQL relies on: pg_trgm (the golden-name trigram
-- index and fuzzy search), fuzzystrmatch and unaccent (blocking helpers).
-- Numbered 000 so a fresh database gets them before 002 builds the trigram
-- index; on a database migrated before this file existed it runs last and
-- finds them there. Created in "public" because the other migrations name
-- their operator classes and functions as public.*. Needs a role allowed to
-- create extensions (a superuser, or the database owner for these trusted
-- extensions on PostgreSQL 13+).
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;
