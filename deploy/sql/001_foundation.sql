-- mamori schema, part 1: the municipality, its accounts, what the collectors observed,
-- and the poll cursors that let a restart continue where it stopped.

CREATE TABLE municipality (
  id           smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),  -- one municipality per database
  name         text NOT NULL,
  name_kana    text NOT NULL DEFAULT '',
  name_romaji  text NOT NULL DEFAULT '',
  homepage_url text NOT NULL DEFAULT '',
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE official_accounts (
  id           bigserial PRIMARY KEY,
  platform     text NOT NULL CHECK (platform IN ('x', 'bluesky', 'mastodon')),
  handle       text NOT NULL,
  account_id   text,                      -- learned from the first profile lookup
  display_name text NOT NULL DEFAULT '',
  department   text NOT NULL DEFAULT '',
  purpose      text NOT NULL DEFAULT '',
  monitor      boolean NOT NULL DEFAULT true,
  active       boolean NOT NULL DEFAULT true,  -- false once removed from the configuration
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (platform, handle)
);

-- Profile snapshots as seen; a new row only when something visible changed.
CREATE TABLE observed_profiles (
  id                 bigserial PRIMARY KEY,
  platform           text NOT NULL,
  account_id         text NOT NULL,
  handle             text NOT NULL,
  display_name       text NOT NULL DEFAULT '',
  description        text NOT NULL DEFAULT '',
  url                text NOT NULL DEFAULT '',
  avatar_url         text NOT NULL DEFAULT '',
  account_created_at timestamptz,
  followers_count    bigint,
  following_count    bigint,
  posts_count        bigint,
  verified           boolean NOT NULL DEFAULT false,
  observed_at        timestamptz NOT NULL,
  last_seen_at       timestamptz NOT NULL,
  held               boolean NOT NULL DEFAULT false  -- evidence of an incident: never purged
);
CREATE INDEX observed_profiles_account ON observed_profiles (platform, account_id, observed_at DESC);
CREATE INDEX observed_profiles_purge ON observed_profiles (last_seen_at) WHERE NOT held;

-- Posts, replies and mentions: unique per platform and post id, so a re-poll never duplicates.
CREATE TABLE observed_posts (
  platform               text NOT NULL,
  post_id                text NOT NULL,
  author_id              text NOT NULL,
  author_handle          text NOT NULL DEFAULT '',
  text                   text NOT NULL DEFAULT '',
  created_at             timestamptz NOT NULL,
  in_reply_to_post_id    text,
  in_reply_to_account_id text,
  conversation_root_id   text,
  quoted_post_id         text,
  reposted_post_id       text,
  urls                   text[] NOT NULL DEFAULT '{}',
  client                 text NOT NULL DEFAULT '',
  lang                   text NOT NULL DEFAULT '',
  reply_count            bigint NOT NULL DEFAULT 0,
  repost_count           bigint NOT NULL DEFAULT 0,
  like_count             bigint NOT NULL DEFAULT 0,
  quote_count            bigint NOT NULL DEFAULT 0,
  observed_at            timestamptz NOT NULL,
  held                   boolean NOT NULL DEFAULT false,
  PRIMARY KEY (platform, post_id)
);
CREATE INDEX observed_posts_conversation ON observed_posts (platform, conversation_root_id);
CREATE INDEX observed_posts_reply_to ON observed_posts (platform, in_reply_to_post_id);
CREATE INDEX observed_posts_purge ON observed_posts (observed_at) WHERE NOT held;

-- Accounts that stopped answering (deleted, suspended): what subject_gone checks read.
CREATE TABLE observed_gone (
  platform    text NOT NULL,
  account_ref text NOT NULL,
  reason      text NOT NULL,
  observed_at timestamptz NOT NULL,
  PRIMARY KEY (platform, account_ref)
);

-- Where each poll job stopped (since_id / cursor / next_token), per platform and account.
CREATE TABLE poll_cursors (
  platform    text NOT NULL,
  account_key text NOT NULL,
  job         text NOT NULL,
  cursor      text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform, account_key, job)
);
