-- mamori schema, part 9: when the current escalation episode started. A reopened incident
-- restarts its escalation plan from the reopening (level 1 now, level 2 after the policy's
-- delay, ...) instead of from opened_at, where every level would already be due at once.
-- Set to now() (and escalation_index back to -1) by the incident store when it reopens.
ALTER TABLE incidents ADD COLUMN escalation_started_at timestamptz;
UPDATE incidents SET escalation_started_at = opened_at;
ALTER TABLE incidents ALTER COLUMN escalation_started_at SET DEFAULT now();
ALTER TABLE incidents ALTER COLUMN escalation_started_at SET NOT NULL;
