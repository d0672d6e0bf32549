-- The catalog also carries product groups (code, name, SAF-T article group) and deposit types
-- (pant: code, name, amount, VAT, account), each published as its own revision kind
-- (kassa hq publish --kind groups|deposits; kassa_tui.hq.catalog, kassa_tui.sync.pull).
ALTER TABLE catalog_revision DROP CONSTRAINT catalog_revision_kind_check;
ALTER TABLE catalog_revision ADD CONSTRAINT catalog_revision_kind_check
    CHECK (kind IN ('products', 'campaigns', 'groups', 'deposits'));
