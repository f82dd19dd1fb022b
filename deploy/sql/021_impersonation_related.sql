-- Accounts the impersonation detector judged `related` (issue 18): a department, affiliated body
-- or ward of the city naming itself as such, with its own icon and description. They open no
-- incident; staff see them listed in the console (公式アカウント). One row per account, updated
-- when it is seen again with another name or handle.
CREATE TABLE impersonation_related (
  platform         text NOT NULL,
  account_ref      text NOT NULL,  -- the account id, or the handle when the id is unknown
  handle           text NOT NULL,
  display_name     text NOT NULL DEFAULT '',
  family           text NOT NULL DEFAULT '',  -- what made it related: 消防, 図書館, 横浜市港北区 …
  matched_official text NOT NULL DEFAULT '',
  first_seen_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform, account_ref)
);
