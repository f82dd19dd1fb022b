-- mamori schema, part 3: the alert outbox. An alert row is written in the same transaction as
-- the incident change that causes it; the dispatcher delivers it with retries and records the
-- result on the incident's timeline. The idempotency key makes a re-send after a crash carry
-- the same identity (channels that deduplicate, like PagerDuty, page once).

CREATE TABLE alert_outbox (
  id               bigserial PRIMARY KEY,
  incident_id      bigint NOT NULL REFERENCES incidents (id),
  kind             text NOT NULL CHECK (kind IN ('trigger', 'escalate', 'update', 'acknowledge', 'resolve')),
  channel          text NOT NULL,  -- the configured channel's name
  escalation_level integer NOT NULL DEFAULT 1,
  recipient        text NOT NULL DEFAULT '',
  idempotency_key  text NOT NULL UNIQUE,
  message          jsonb NOT NULL,
  state            text NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  lease_until      timestamptz,
  delivered_at     timestamptz,
  last_error       text NOT NULL DEFAULT ''
);
CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX alert_outbox_incident ON alert_outbox (incident_id);
