-- mamori schema, part 15: lifting a sign-in block (issue 23).
--
-- The sign-in throttle lives in mamorid's memory (see 005_console_users.sql). `mamorictl user
-- unblock` cannot reach that memory, so it leaves a request here; mamorid applies each request
-- once, the next time a blocked attempt arrives, and remembers the last id it applied.
-- An empty name means every name; an empty address every address (both empty: everything).
CREATE TABLE console_signin_unblocks (
  id           bigserial PRIMARY KEY,
  name         text NOT NULL DEFAULT '',
  address      text NOT NULL DEFAULT '',
  requested_at timestamptz NOT NULL DEFAULT now()
);
