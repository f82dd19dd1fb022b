-- The response period a takedown request was given (issue 19): the law's for a designated
-- platform, else the city's own ([reminders] takedown_response), kept with the request so the
-- deadline at filing and the one shown agree even after the configuration changes.
ALTER TABLE takedown_requests ADD COLUMN response_period_s bigint
  CHECK (response_period_s IS NULL OR response_period_s > 0);
