-- mamori schema, part 35: takedown requests filed with the platforms, and their history.
-- soma-city.txt 第7-2, hokkaido.txt 5(1), shiroi-city.txt 4(2)/4(4): ask the platform to delete
-- an impersonating account or a spread post, and keep after it until it is gone.
-- A request is filed by mamori itself where the platform has a report API (Mastodon
-- POST /api/v1/reports, Bluesky com.atproto.moderation.createReport) and by staff through the
-- platform's form where it has none (X): then staff record the receipt number.
CREATE TABLE takedown_requests (
  id              bigserial PRIMARY KEY,
  incident_id     bigint NOT NULL REFERENCES incidents (id),
  platform        text NOT NULL CHECK (platform IN ('x', 'bluesky', 'mastodon')),
  target          text NOT NULL,          -- the reported account (id, DID or handle)
  target_handle   text NOT NULL DEFAULT '',
  post_ids        text[] NOT NULL DEFAULT '{}',
  method          text NOT NULL CHECK (method IN ('api', 'form')),
  -- filing: mamori is sending it; failed: the platform did not take it (nothing was filed);
  -- filed -> answered -> removed | refused.
  status          text NOT NULL CHECK (status IN ('filing', 'failed', 'filed', 'answered', 'removed',
                                                  'refused')),
  text            text NOT NULL,          -- what was sent (or pasted into the form)
  receipt         text NOT NULL DEFAULT '',  -- the platform's report id or receipt number
  platform_answer text NOT NULL DEFAULT '',  -- the platform's answer as received (JSON text)
  error           text NOT NULL DEFAULT '',
  -- The response period a law sets for this platform (情報流通プラットフォーム対処法), in days;
  -- NULL where no law sets one.
  legal_period_days integer,
  deadline        timestamptz,            -- when an answer is due (set when filed)
  reminded_at     timestamptz,            -- when mamori reminded staff to re-request
  previous_id     bigint REFERENCES takedown_requests (id),  -- a re-request of this one
  filed_by        text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  filed_at        timestamptz,
  closed_at       timestamptz,            -- removed or refused
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX takedown_requests_incident ON takedown_requests (incident_id, id);
CREATE INDEX takedown_requests_open ON takedown_requests (deadline)
  WHERE status IN ('filed', 'answered');

-- Every change of a request: who, when, what (append-only, like the incident timeline).
CREATE TABLE takedown_events (
  id          bigserial PRIMARY KEY,
  request_id  bigint NOT NULL REFERENCES takedown_requests (id),
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor       text NOT NULL,
  status      text NOT NULL,
  message     text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX takedown_events_request ON takedown_events (request_id, id);
CREATE TRIGGER takedown_events_append_only BEFORE UPDATE OR DELETE ON takedown_events
  FOR EACH ROW EXECUTE FUNCTION mamori_reject_change();
