-- The read-only role Grafana's "mamori PostgreSQL" data source logs in as. Run once as a
-- superuser in mamori's database, choosing the password:
--   sudo -u postgres psql -d mamori -v password="'…'" -f /usr/share/mamori/grafana/grafana_reader.sql
-- It may read only `incidents` (titles, types, severities, times, status): the dashboards need
-- nothing else, and observed posts, replies and evidence hold citizens' personal data.
-- Running it again is harmless (the grants are idempotent; the password is reset).
\set ON_ERROR_STOP on
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grafana_mamori') AS create_role \gset
\if :create_role
CREATE ROLE grafana_mamori LOGIN;
\endif
\if :{?password}
ALTER ROLE grafana_mamori PASSWORD :password;
\endif
ALTER ROLE grafana_mamori SET default_transaction_read_only = on;
ALTER ROLE grafana_mamori SET statement_timeout = '10s';
SELECT format('GRANT CONNECT ON DATABASE %I TO grafana_mamori', current_database()) \gexec
GRANT USAGE ON SCHEMA public TO grafana_mamori;
GRANT SELECT ON incidents TO grafana_mamori;
