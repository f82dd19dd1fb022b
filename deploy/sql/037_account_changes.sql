-- mamori schema, part 37: planned changes and closures of official accounts (soma-city.txt 4,
-- hokkaido.txt 3(8)). Each plan runs as an incident of type account_change whose checklist
-- carries the guideline's dates: the notice on the account and the homepage at least a month
-- before, kept one year after a change and half a year after a closure.
ALTER TABLE incidents DROP CONSTRAINT incidents_type_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_type_check
  CHECK (type IN ('impersonation', 'flameup', 'misinformation', 'account_compromise',
                  'erroneous_post', 'threat', 'account_change'));

CREATE TABLE account_changes (
  id           bigserial PRIMARY KEY,
  incident_id  bigint NOT NULL UNIQUE REFERENCES incidents (id),
  platform     text NOT NULL CHECK (platform IN ('x', 'bluesky', 'mastodon')),
  handle       text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('change', 'closure')),
  what         text NOT NULL,              -- what changes (Japanese, as staff wrote it)
  planned_at   timestamptz NOT NULL,       -- when the change or closure takes effect
  notice_url   text NOT NULL,              -- the homepage page that carries the notice
  notice_text  text NOT NULL,              -- the words the notice must show
  keep_until   timestamptz NOT NULL,       -- the notice stays until then
  registered_by text NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now()
);

-- Reminders mamori gave before a step's date (one per step and lead time).
CREATE TABLE account_change_reminders (
  incident_id bigint NOT NULL REFERENCES incidents (id),
  step_id     text NOT NULL,
  lead_days   integer NOT NULL,
  sent_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, step_id, lead_days)
);
