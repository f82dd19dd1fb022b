-- mamori schema, part 5: web-console users and their sign-in sessions (issue 9, part 3).
--
-- Login throttling is deliberately NOT persisted: it lives in mamorid's memory. It exists to
-- slow online guessing; a restart (which needs root) resetting it gives an attacker nothing
-- worth having, while a row written per failed attempt would let anyone on the network turn
-- password guessing into database write load.

CREATE TABLE console_users (
  id                  bigserial PRIMARY KEY,
  -- Lower-case ASCII so that names are unambiguous in timelines and logs.
  name                text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  display_name        text NOT NULL DEFAULT '',
  role                text NOT NULL CHECK (role IN ('viewer', 'responder', 'admin')),
  -- libsodium crypto_pwhash_str (argon2id, self-describing); never the password itself.
  password_hash       text NOT NULL,
  -- Base32 TOTP secret (RFC 6238); NULL = no second factor (special-ward.txt 5(4)).
  totp_secret         text,
  -- The last accepted TOTP time step: a code is never accepted twice (RFC 6238 5.2).
  totp_last_step      bigint,
  disabled            boolean NOT NULL DEFAULT false,
  -- special-ward.txt 5(3): passwords are changed at least yearly; `user list` shows the age.
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  last_login_at       timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

-- A signed-in browser. Only a hash of the session id is stored: the id itself exists only in
-- the user's cookie, so reading this table (or a backup of it) signs nobody in.
CREATE TABLE console_sessions (
  id_hash             text PRIMARY KEY,  -- hex BLAKE2b-256 of the session id
  user_id             bigint NOT NULL REFERENCES console_users (id) ON DELETE CASCADE,
  csrf_token          text NOT NULL,
  created_at          timestamptz NOT NULL,
  last_seen_at        timestamptz NOT NULL,  -- written through at most once a minute
  idle_timeout_s      integer NOT NULL CHECK (idle_timeout_s > 0),
  absolute_expires_at timestamptz NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);
CREATE INDEX console_sessions_expiry ON console_sessions (absolute_expires_at);
