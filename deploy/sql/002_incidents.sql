-- mamori schema, part 2: incidents, their findings, evidence, playbook steps and timeline.

CREATE TABLE incidents (
  id              bigserial PRIMARY KEY,
  type            text NOT NULL CHECK (type IN ('impersonation', 'flameup', 'misinformation',
                                                'account_compromise', 'erroneous_post', 'threat')),
  subject         text NOT NULL,
  dedup_key       text NOT NULL,  -- type || ':' || subject
  platform        text,
  title           text NOT NULL,
  summary         text NOT NULL DEFAULT '',
  severity        text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  severity_label  text NOT NULL DEFAULT '',
  score           double precision NOT NULL DEFAULT 0,
  status          text NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'acknowledged', 'mitigating', 'monitoring', 'resolved', 'closed')),
  assignee        text,
  finding_count   integer NOT NULL DEFAULT 0,
  opened_at       timestamptz NOT NULL DEFAULT now(),
  acknowledged_at timestamptz,
  resolved_at     timestamptz,
  closed_at       timestamptz,
  closure_reason  text,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
-- At most one live incident per subject: repeated findings update it instead of opening more.
CREATE UNIQUE INDEX incidents_live_dedup ON incidents (dedup_key)
  WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX incidents_status ON incidents (status, opened_at DESC);

CREATE TABLE incident_findings (
  id             bigserial PRIMARY KEY,
  incident_id    bigint NOT NULL REFERENCES incidents (id),
  detected_at    timestamptz NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  score          double precision NOT NULL,
  severity       text NOT NULL,
  severity_label text NOT NULL DEFAULT '',
  reasons        text[] NOT NULL DEFAULT '{}',
  evidence       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_findings_incident ON incident_findings (incident_id, detected_at);

-- What made a finding, kept as captured: raw API responses, profile snapshots, avatars.
-- Immutable (trigger below) and independent of the subject still existing on the platform.
CREATE TABLE evidence (
  id           bigserial PRIMARY KEY,
  incident_id  bigint NOT NULL REFERENCES incidents (id),
  kind         text NOT NULL,  -- raw_response, profile_snapshot, avatar, post, note
  description  text NOT NULL DEFAULT '',
  source_url   text NOT NULL DEFAULT '',
  content_type text NOT NULL,
  content      bytea NOT NULL,
  sha256       bytea NOT NULL CHECK (length(sha256) = 32),
  captured_at  timestamptz NOT NULL
);
CREATE INDEX evidence_incident ON evidence (incident_id, captured_at);

-- The playbook checklist of one incident.
CREATE TABLE incident_steps (
  incident_id  bigint NOT NULL REFERENCES incidents (id),
  step_id      text NOT NULL,
  position     integer NOT NULL,
  title        text NOT NULL,
  instructions text NOT NULL DEFAULT '',
  role         text NOT NULL DEFAULT '',
  mandatory    boolean NOT NULL DEFAULT true,
  depends_on   text[] NOT NULL DEFAULT '{}',
  clauses      text[] NOT NULL DEFAULT '{}',
  auto_check   jsonb,
  due_at       timestamptz,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'skipped')),
  note         text NOT NULL DEFAULT '',
  completed_by text,
  completed_at timestamptz,
  PRIMARY KEY (incident_id, step_id)
);

-- Who did what and when (shiroi-city.txt 2(3)②). Append-only (trigger below).
CREATE TABLE incident_timeline (
  id          bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor       text NOT NULL,  -- a user name, or "system:<component>"
  kind        text NOT NULL,  -- finding, status, severity, assign, step, note, alert, check, evidence
  message     text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, id);

CREATE FUNCTION mamori_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER incident_timeline_append_only BEFORE UPDATE OR DELETE ON incident_timeline
  FOR EACH ROW EXECUTE FUNCTION mamori_reject_change();
CREATE TRIGGER evidence_immutable BEFORE UPDATE OR DELETE ON evidence
  FOR EACH ROW EXECUTE FUNCTION mamori_reject_change();

-- Rumours staff have confirmed false (the misinformation detector's registry).
CREATE TABLE rumours (
  id              bigserial PRIMARY KEY,
  claim           text NOT NULL,
  wordings        text[] NOT NULL DEFAULT '{}',
  correction      text NOT NULL,
  correction_url  text NOT NULL DEFAULT '',
  topic           text NOT NULL DEFAULT '',
  active          boolean NOT NULL DEFAULT true,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
