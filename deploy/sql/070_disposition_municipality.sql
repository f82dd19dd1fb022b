-- mamori schema, part 70: staff's decisions on impersonation candidates are per municipality
-- (issue 20). One town's staff marking an account as related or benign says nothing for another
-- town: the account may still imitate that one, which then gets its own incident. A decision
-- belongs to the municipality of the incident it was made on.
ALTER TABLE impersonation_dispositions ADD COLUMN municipality text;
-- Decisions made before: the town of their incident (the one whose account the candidate
-- imitates), else the single tenant's id.
UPDATE impersonation_dispositions d
   SET municipality = coalesce((SELECT i.municipality FROM incidents i WHERE i.id = d.incident_id),
                               'default');
ALTER TABLE impersonation_dispositions ALTER COLUMN municipality SET NOT NULL;
ALTER TABLE impersonation_dispositions DROP CONSTRAINT impersonation_dispositions_pkey;
ALTER TABLE impersonation_dispositions ADD PRIMARY KEY (municipality, platform, account_ref);

-- So each town may have its own live incident about one subject (a look-alike of two towns'
-- accounts, decided on by one of them): at most one live incident per subject and town.
DROP INDEX incidents_live_dedup;
CREATE UNIQUE INDEX incidents_live_dedup ON incidents (dedup_key, municipality)
  WHERE status NOT IN ('resolved', 'closed');
