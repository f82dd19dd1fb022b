-- mamori schema, part 65: alert routing within a municipality (issue 20). An incident remembers
-- the department (運用所属) of the official account it concerns, set when it opens
-- (incidents::record_finding), so an alert route for a department ([[alerts.routes]] or a
-- municipality's own [[municipalities.alerts.routes]]) can page that department's rotation.
-- '' when the incident concerns no official account (or one without a department).
ALTER TABLE incidents ADD COLUMN department text NOT NULL DEFAULT '';

-- Incidents opened before this migration: the department of the account named by their subject.
UPDATE incidents i SET department = o.department
  FROM official_accounts o
 WHERE o.platform = i.platform AND o.department <> ''
   AND i.subject IN (o.platform || ':account:' || o.handle,
                     o.platform || ':account:' || o.account_id,
                     o.platform || ':official:' || lower(o.handle));
