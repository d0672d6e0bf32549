-- Staff published from HQ (issue 15: «users if the shop wants central staff»): a revision of
-- kind 'users' carries number, name, role and active per user, never a PIN or its hash (each
-- till peppers its PIN hashes with a file of its own, so a hash from elsewhere verifies nowhere;
-- kassa_tui/hq/users.py, kassa_tui/sync/users_pull.py).
ALTER TABLE catalog_revision DROP CONSTRAINT catalog_revision_kind_check;
ALTER TABLE catalog_revision ADD CONSTRAINT catalog_revision_kind_check
    CHECK (kind IN ('products', 'campaigns', 'groups', 'deposits', 'users'));
