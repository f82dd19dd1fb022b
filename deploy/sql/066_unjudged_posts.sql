-- mamori schema, part 66: posts stored but not yet judged (issue 20). The poller marks each new
-- post of an account's job in the transaction that stores it, and drops the marks once the
-- detectors have judged the batch; a threat's incident drops its post's mark in its own
-- transaction. A mark left behind (the instance was killed in between) is judged again by the
-- next holder of the account's lease: posts already stored are never "new" again, so without it
-- a reply stored just before a crash would never be judged (daemon/store/observation_store.h).
CREATE TABLE unjudged_posts (
  platform  text NOT NULL,
  post_id   text NOT NULL,
  account   text NOT NULL,  -- the official account (handle) whose job stored it
  stored_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (platform, post_id),
  FOREIGN KEY (platform, post_id) REFERENCES observed_posts (platform, post_id) ON DELETE CASCADE
);
CREATE INDEX unjudged_posts_account ON unjudged_posts (platform, account);
