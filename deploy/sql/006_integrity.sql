-- mamori schema: own-account integrity and guideline compliance (issue 11).
-- The approved baseline of each official account, changes staff announced in advance
-- (soma-city.txt 4(2)), changes observed on the platform, the compliance audit's results, and
-- own posts flagged as erroneous (shiroi-city.txt 4(4)) with the spread seen on later polls.

CREATE TABLE integrity_baselines (
  platform     text NOT NULL CHECK (platform IN ('x', 'bluesky', 'mastodon')),
  handle       text NOT NULL,  -- as configured (lower case), the account's key
  account_id   text NOT NULL DEFAULT '',
  shown_handle text NOT NULL DEFAULT '',  -- the handle the platform shows
  display_name text NOT NULL DEFAULT '',
  description  text NOT NULL DEFAULT '',
  url          text NOT NULL DEFAULT '',
  avatar_url   text NOT NULL DEFAULT '',
  avatar_phash text,  -- 16 hex digits when the icon was hashed
  verified     boolean NOT NULL DEFAULT false,
  approved_at  timestamptz NOT NULL DEFAULT now(),
  approved_by  text NOT NULL,  -- system:first_observation, a staff name, registration:<id>
  PRIMARY KEY (platform, handle)
);

CREATE TABLE integrity_registered_changes (
  id            bigserial PRIMARY KEY,
  platform      text NOT NULL CHECK (platform IN ('x', 'bluesky', 'mastodon')),
  handle        text NOT NULL,
  field         text NOT NULL CHECK (field IN ('display_name', 'handle', 'description', 'url', 'avatar', 'verified')),
  value         text NOT NULL DEFAULT '',  -- '' = any new value
  valid_from    timestamptz NOT NULL,
  valid_until   timestamptz NOT NULL CHECK (valid_until > valid_from),
  note          text NOT NULL DEFAULT '',
  registered_by text NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now(),
  applied_at    timestamptz
);
CREATE INDEX integrity_registered_live ON integrity_registered_changes (platform, handle, valid_until)
  WHERE applied_at IS NULL;

CREATE TABLE integrity_observed_changes (
  id           bigserial PRIMARY KEY,
  platform     text NOT NULL,
  handle       text NOT NULL,
  field        text NOT NULL,
  before_value text NOT NULL,
  after_value  text NOT NULL,
  observed_at  timestamptz NOT NULL,
  -- open: unexpected, waiting for staff; accepted: staff made it the baseline;
  -- registered: matched an announced change; superseded: the field changed again
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'registered', 'superseded')),
  registration_id bigint REFERENCES integrity_registered_changes (id),
  incident_id  bigint REFERENCES incidents (id),
  resolved_by  text,
  resolved_at  timestamptz
);
-- One open change per account, field and new value: a re-poll does not repeat it.
CREATE UNIQUE INDEX integrity_observed_open ON integrity_observed_changes (platform, handle, field, after_value)
  WHERE status = 'open';
CREATE INDEX integrity_observed_recent ON integrity_observed_changes (observed_at DESC);

CREATE TABLE compliance_results (
  platform   text NOT NULL,
  handle     text NOT NULL,
  item_id    text NOT NULL,
  position   integer NOT NULL,
  title      text NOT NULL,
  clause     text NOT NULL,
  status     text NOT NULL CHECK (status IN ('pass', 'fail', 'unknown')),
  detail     text NOT NULL DEFAULT '',
  checked_at timestamptz NOT NULL,
  PRIMARY KEY (platform, handle, item_id)
);

CREATE TABLE erroneous_posts (
  incident_id      bigint PRIMARY KEY REFERENCES incidents (id),
  platform         text NOT NULL,
  post_id          text NOT NULL,
  handle           text NOT NULL,  -- the official account that posted it
  note             text NOT NULL DEFAULT '',
  flagged_by       text NOT NULL,
  flagged_at       timestamptz NOT NULL DEFAULT now(),
  repost_count     bigint NOT NULL DEFAULT 0,
  quote_count      bigint NOT NULL DEFAULT 0,
  reply_count      bigint NOT NULL DEFAULT 0,
  spread_checked_at timestamptz,
  tracking         boolean NOT NULL DEFAULT true,
  UNIQUE (platform, post_id)
);
