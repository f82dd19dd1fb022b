-- mamori schema, part 8: one-click acknowledge links are single-use. A used link's token is
-- remembered by its SHA-256 (never the token itself, which would still be usable), with who
-- used it and when, so a replay gets a clear answer instead of a second acknowledgement.
CREATE TABLE alert_ack_link_uses (
  token_sha256 text PRIMARY KEY,
  incident_id  bigint NOT NULL REFERENCES incidents (id),
  used_by      text NOT NULL,
  used_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_ack_link_uses_incident ON alert_ack_link_uses (incident_id);
