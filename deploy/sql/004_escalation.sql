-- mamori schema, part 4: how far an incident's escalation plan has been sent (the index of the
-- last step queued; -1 before the first), so a restart resumes the plan instead of repeating it.
ALTER TABLE incidents ADD COLUMN escalation_index integer NOT NULL DEFAULT -1;
