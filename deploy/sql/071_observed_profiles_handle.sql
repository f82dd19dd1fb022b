-- mamori schema, part 71: finding a profile by handle, whatever its ASCII case (issue 20). A
-- look-alike round stores an absent handle in observed_gone only when the account was seen
-- before (daemon/store/observation_store.h GoneFilter): one statement per look-up batch asks
-- this index for each of up to 100 handles, instead of storing ~111,000 rows for generated
-- handles that never existed (2,000 accounts' first round).
CREATE INDEX observed_profiles_handle ON observed_profiles (platform, lower(handle));
