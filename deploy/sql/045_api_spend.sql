-- What the platforms' APIs cost this month, per platform and job (endpoint), so the month's
-- spend and the budget stop survive restarts (collectors/ratelimit/api_spend.h). Every 30 s
-- each mamorid adds what it spent since its last write, so instances sharing the database share
-- one budget (daemon/app/api_spend_keeper.h); a row is never lowered.
CREATE TABLE api_spend (
  month      text        NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),  -- UTC, "2026-12"
  platform   text        NOT NULL,
  job        text        NOT NULL,
  usd        double precision NOT NULL DEFAULT 0 CHECK (usd >= 0),
  units      bigint      NOT NULL DEFAULT 0 CHECK (units >= 0),  -- quota units (YouTube)
  requests   bigint      NOT NULL DEFAULT 0 CHECK (requests >= 0),
  resources  bigint      NOT NULL DEFAULT 0 CHECK (resources >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (month, platform, job)
);
