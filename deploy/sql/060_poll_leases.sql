-- mamori schema, part 60: several mamorid instances on one database (issue 20). Each official
-- account is polled by the one instance that holds its lease (daemon/polling/leases.h): a lease
-- lasts [cluster] lease_period unless its holder renews it, and a lease whose holder stopped
-- renewing (killed, cut off) is taken by another instance with SELECT ... FOR UPDATE SKIP LOCKED.
CREATE TABLE poll_leases (
  platform    text NOT NULL,
  handle      text NOT NULL,
  holder      text,                                  -- instance name; NULL: free
  expires_at  timestamptz NOT NULL DEFAULT '-infinity',
  acquired_at timestamptz,
  PRIMARY KEY (platform, handle)
);
CREATE INDEX poll_leases_holder ON poll_leases (holder);

-- The instances alive on this database, each renewing its row with its leases: an instance's
-- share of the accounts is their number divided by the instances alive.
CREATE TABLE poll_instances (
  instance    text PRIMARY KEY,
  alive_until timestamptz NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now()
);
