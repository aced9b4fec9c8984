-- Customer search's trigram indexes (next migration) need pg_trgm. It is a trusted extension
-- (PostgreSQL 13+): the database's owner may create it without being a superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
