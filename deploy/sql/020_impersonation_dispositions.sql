-- Staff's decisions on impersonation candidates (issue 18): a candidate judged to be one of the
-- city's related accounts (a department, affiliated body or ward) or benign opens no incident
-- while its profile stays as it was judged (name, handle, link, icon); a material change
-- re-opens the question. One row per candidate account; who and when are kept here and in the
-- incident's timeline.
CREATE TABLE impersonation_dispositions (
  platform     text NOT NULL,
  account_ref  text NOT NULL,  -- the account id, or the handle when the id is unknown
  disposition  text NOT NULL CHECK (disposition IN ('related', 'benign')),
  handle       text NOT NULL,
  display_name text NOT NULL DEFAULT '',
  url          text NOT NULL DEFAULT '',
  avatar_url   text NOT NULL DEFAULT '',
  note         text NOT NULL DEFAULT '',
  incident_id  bigint REFERENCES incidents (id),
  decided_by   text NOT NULL,
  decided_at   timestamptz NOT NULL DEFAULT now(),
  -- Set when the account's profile changed materially after the decision: the question is open
  -- again (a new decision overwrites the row and clears it).
  reopened_at  timestamptz,
  PRIMARY KEY (platform, account_ref)
);
