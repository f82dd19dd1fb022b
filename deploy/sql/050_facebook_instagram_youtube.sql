-- mamori schema, part 50: Facebook, Instagram and YouTube accounts (issue 22). The tables that
-- name a platform accept the three new ones besides X, Bluesky and Mastodon.
ALTER TABLE official_accounts DROP CONSTRAINT official_accounts_platform_check;
ALTER TABLE official_accounts ADD CONSTRAINT official_accounts_platform_check
  CHECK (platform IN ('x', 'bluesky', 'mastodon', 'facebook', 'instagram', 'youtube'));

ALTER TABLE integrity_baselines DROP CONSTRAINT integrity_baselines_platform_check;
ALTER TABLE integrity_baselines ADD CONSTRAINT integrity_baselines_platform_check
  CHECK (platform IN ('x', 'bluesky', 'mastodon', 'facebook', 'instagram', 'youtube'));

ALTER TABLE integrity_registered_changes DROP CONSTRAINT integrity_registered_changes_platform_check;
ALTER TABLE integrity_registered_changes ADD CONSTRAINT integrity_registered_changes_platform_check
  CHECK (platform IN ('x', 'bluesky', 'mastodon', 'facebook', 'instagram', 'youtube'));

ALTER TABLE takedown_requests DROP CONSTRAINT takedown_requests_platform_check;
ALTER TABLE takedown_requests ADD CONSTRAINT takedown_requests_platform_check
  CHECK (platform IN ('x', 'bluesky', 'mastodon', 'facebook', 'instagram', 'youtube'));

ALTER TABLE account_changes DROP CONSTRAINT account_changes_platform_check;
ALTER TABLE account_changes ADD CONSTRAINT account_changes_platform_check
  CHECK (platform IN ('x', 'bluesky', 'mastodon', 'facebook', 'instagram', 'youtube'));
