-- mamori schema, part 67: each official account's polling health as the instance polling it
-- last reported it (issue 20). With several instances (060_poll_leases.sql) an account's last
-- success and failing job live in the memory of whichever instance holds its lease; each writes
-- them here (daemon/polling/poll_status.h), so the accounts page of any instance shows every
-- account with the instance polling it (取得担当) and how stale it is, including accounts whose
-- instance stopped reporting.
CREATE TABLE poll_status (
  platform        text NOT NULL,
  handle          text NOT NULL,
  polled_by       text NOT NULL,         -- the instance ([cluster] instance) polling it
  polling_since   timestamptz NOT NULL,  -- when polled_by began polling it
  last_success_at timestamptz,           -- the latest successful run of any of its jobs
  last_error      text,                  -- a job failing since its last success: what went wrong
  last_error_job  text,
  last_error_at   timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform, handle)
);
