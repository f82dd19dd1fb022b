-- mamori schema, part 74: Instagram @mentions announced by Meta's webhook (field `mentions`).
-- Instagram lists no mentions: Meta posts each one once to POST /webhooks/meta, which queues it
-- here and answers at once; the instance holding the mentioned account's poll lease reads it
-- (mentioned_media / mentioned_comment), stores the post as observations and marks the row done
-- in the same transaction (daemon/webhooks/mention_queue.h). A redelivered event matches the
-- unique key and adds nothing. Only ids are kept here: the text lives in observed_posts.
CREATE TABLE instagram_mentions (
  id              bigserial PRIMARY KEY,
  ig_user_id      text NOT NULL,               -- the mentioned professional account (entry.id)
  media_id        text NOT NULL,
  comment_id      text NOT NULL DEFAULT '',    -- '' for a mention in the media's caption
  received_at     timestamptz NOT NULL DEFAULT now(),
  state           text NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'done', 'unavailable')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  claimed_by      text,                        -- instance reading it now
  claimed_until   timestamptz,                 -- a claim not settled by then is free again
  last_error      text,
  done_at         timestamptz,
  UNIQUE (ig_user_id, media_id, comment_id)
);
CREATE INDEX instagram_mentions_due ON instagram_mentions (next_attempt_at) WHERE state = 'queued';
