-- mamori schema, part 10: what an automatic check saw when it first looked.
-- A homepage_contains step completes when its text newly appears on the city's page: a notice
-- about an earlier impersonation that is still listed must not tick the step for a new one.
-- The first reading of the page for the step ({"baseline": occurrences, "baseline_at": ...})
-- is kept here; the step completes when a later reading shows more occurrences than that.
ALTER TABLE incident_steps ADD COLUMN check_state jsonb;
