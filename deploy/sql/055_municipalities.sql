-- mamori schema, part 55: municipalities as tenants (issue 20). One mamorid may serve several
-- municipalities ([[municipalities]] in the configuration); what staff see is scoped to the
-- municipality it concerns. Rows written before this migration belong to the single tenant,
-- whose id is "default" unless the configuration names another.
--
-- Incidents (and with them their findings, evidence, drafted documents, steps, timeline and
-- takedown requests) and rumours carry their municipality. Data keyed by an official account
-- (compliance results, the integrity baseline, registered and observed changes, account
-- changes) takes the municipality of that account, so it cannot disagree with it.
ALTER TABLE official_accounts ADD COLUMN municipality text NOT NULL DEFAULT 'default';
ALTER TABLE incidents ADD COLUMN municipality text NOT NULL DEFAULT 'default';
ALTER TABLE rumours ADD COLUMN municipality text NOT NULL DEFAULT 'default';
CREATE INDEX incidents_municipality ON incidents (municipality, opened_at DESC);

-- Which municipalities a console user works for; NULL: all of them (a prefecture's staff).
ALTER TABLE console_users ADD COLUMN municipalities text[];

-- The municipality of an official account ('default' for one no longer configured).
CREATE FUNCTION mamori_account_municipality(account_platform text, account_handle text)
  RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT municipality FROM official_accounts
                    WHERE platform = account_platform AND lower(handle) = lower(account_handle)
                    LIMIT 1), 'default')
$$;

-- The API sets `mamori.scope` on its connection for the length of one request: '*' (or unset)
-- for staff of every municipality, else the comma-separated ids of theirs. Queries that list
-- scoped data filter with this function, so one definition decides what a caller may see.
CREATE FUNCTION mamori_in_scope(municipality text) RETURNS boolean
  LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('mamori.scope', true), ''), '*') = '*'
      OR municipality = ANY (string_to_array(current_setting('mamori.scope', true), ','))
$$;
