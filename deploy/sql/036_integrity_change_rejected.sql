-- mamori schema, part 36: staff can reject an observed profile change (it was not the city's).
-- A rejected change keeps the approved baseline; while the account still shows the rejected value,
-- polling does not open the same change again (the uniqueness below covers rejected rows too).
ALTER TABLE integrity_observed_changes DROP CONSTRAINT integrity_observed_changes_status_check;
ALTER TABLE integrity_observed_changes ADD CONSTRAINT integrity_observed_changes_status_check
  CHECK (status IN ('open', 'accepted', 'registered', 'superseded', 'rejected'));
DROP INDEX integrity_observed_open;
CREATE UNIQUE INDEX integrity_observed_open ON integrity_observed_changes (platform, handle, field, after_value)
  WHERE status IN ('open', 'rejected');
ALTER TABLE integrity_observed_changes ADD COLUMN resolution_note text NOT NULL DEFAULT '';
