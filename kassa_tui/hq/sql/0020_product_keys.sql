-- HQ keys stock, products and pairs by PRODUCT, as the tills do (issue 15). A till sells a
-- product under any of its codes (its PLU typed, any of its EANs scanned) and keys its own
-- reports by the product; HQ's rows (sale_line, stock_delta, stock_move: 0001, 0009) carry the
-- code a line was sold under. Here HQ keeps, from the catalog it publishes, which product each
-- code belongs to, and its reports group by that (kassa_tui/hq/report.py, pairs.py):
--
-- - product_key: every code a published product carries (its PLU and each of its EANs, read as
--   the till's importer reads them: a PLU without its leading zeros, a UPC-A as its EAN-13)
--   -> the product's key, the till's own (kassa_tui.insight.pairs: the PLU, else the smallest
--   barcode). Later revisions win: a code moved to another product maps to that one from then
--   on (for every sale, the earlier ones too: HQ has no dates on a code's product). A code HQ's
--   catalog does not know (a till's own product) is its own key.
-- - catalog_product: each product key's PLU and name as last published (the name reports show).
-- - Kept when a revision is published: a trigger on catalog_page (catalog_publish inserts the
--   pages) reads each page of a 'products' revision. Ingest is not touched: stock and products
--   are mapped when a report reads them (report.py joins product_key), so a code mapped later
--   counts for its product in every report from then on, its past sales too.
--
-- Pairs need the mapping before counting (a basket holding a product under two codes holds it
-- once), so hq_pair_rollup() (0017) is replaced: it keeps basket_day and basket_code_day (per
-- code, as before) and now counts baskets per product (basket_product_day) and pairs of
-- products (pair_product_day, in place of pair_day, dropped). The rule when a mapping changes
-- after baskets were counted: a publish that gives a code another product than it had (a code
-- new to the catalog included, unless it is its own key) notes the code in product_remap; the
-- next rollup (every pairs report runs one first) takes those notes and counts again, whole,
-- each shop and day where that code was in a basket (basket_code_day says where), from the
-- baskets already rolled up (each register up to its pair_rollup seq) with the mapping as it
-- is then, after deleting those days' product rows; new baskets are added as before. A publish
-- that commits while a rollup runs leaves its note for the next one (the note is taken by a
-- DELETE that sees only committed notes), so no day stays counted with an old mapping.

CREATE TABLE product_key (
    code text PRIMARY KEY,
    product text NOT NULL,
    revision bigint NOT NULL REFERENCES catalog_revision (revision)
);
CREATE INDEX product_key_product ON product_key (product);

CREATE TABLE catalog_product (
    product text PRIMARY KEY,
    plu text,
    name text NOT NULL,
    revision bigint NOT NULL REFERENCES catalog_revision (revision)
);

CREATE TABLE product_remap (
    code text PRIMARY KEY                    -- its product changed: pairs counted again
);

-- One page of a 'products' revision into product_key and catalog_product.
CREATE FUNCTION hq_product_keys(p_revision bigint, p_body jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS product_key_new (
        code text NOT NULL, product text NOT NULL, plu text, name text NOT NULL, o bigint
    ) ON COMMIT DROP;
    DELETE FROM product_key_new;
    INSERT INTO product_key_new (code, product, plu, name, o)
    WITH cells AS (
        SELECT j.o,
               CASE WHEN btrim(COALESCE(j.x->>'plu', '')) <> ''
                    THEN COALESCE(NULLIF(ltrim(btrim(j.x->>'plu'), '0'), ''), '0') END AS plu,
               ARRAY(SELECT CASE WHEN length(t) = 12 THEN '0' || t ELSE t END
                     FROM regexp_split_to_table(btrim(COALESCE(j.x->>'ean', '')), '[|,;\s]+') t
                     WHERE t <> '') AS eans,
               array_to_string(regexp_split_to_array(btrim(COALESCE(j.x->>'name', '')), '\s+'),
                               ' ') AS name
        FROM jsonb_array_elements(p_body) WITH ORDINALITY AS j(x, o)
    ), keyed AS (
        -- the till's key: the PLU, else the smallest barcode (SQLite's MIN: byte order)
        SELECT c.*, COALESCE(c.plu, (SELECT min(e COLLATE "C") FROM unnest(c.eans) e)) AS product
        FROM cells c
    )
    SELECT k.plu, k.product, k.plu, k.name, k.o FROM keyed k WHERE k.plu IS NOT NULL
    UNION ALL
    SELECT e, k.product, k.plu, k.name, k.o FROM keyed k CROSS JOIN unnest(k.eans) e
    WHERE k.product IS NOT NULL;

    -- a code whose product changes: its pairs are counted again (hq_pair_rollup)
    INSERT INTO product_remap (code)
    SELECT DISTINCT n.code FROM product_key_new n LEFT JOIN product_key k ON k.code = n.code
    WHERE COALESCE(k.product, n.code) <> n.product AND COALESCE(k.revision, 0) <= p_revision
    ON CONFLICT (code) DO NOTHING;

    INSERT INTO product_key AS k (code, product, revision)
    SELECT DISTINCT ON (code) code, product, p_revision FROM product_key_new ORDER BY code, o DESC
    ON CONFLICT (code) DO UPDATE SET product = excluded.product, revision = excluded.revision
    WHERE k.revision <= excluded.revision;

    INSERT INTO catalog_product AS p (product, plu, name, revision)
    SELECT DISTINCT ON (product) product, plu, name, p_revision FROM product_key_new
    ORDER BY product, o DESC
    ON CONFLICT (product) DO UPDATE SET plu = excluded.plu, name = excluded.name,
        revision = excluded.revision
    WHERE p.revision <= excluded.revision;
END;
$$;
REVOKE ALL ON FUNCTION hq_product_keys(bigint, jsonb) FROM PUBLIC;

CREATE FUNCTION hq_catalog_page_keys() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM catalog_revision
               WHERE revision = NEW.revision AND kind = 'products') THEN
        PERFORM hq_product_keys(NEW.revision, NEW.body);
    END IF;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION hq_catalog_page_keys() FROM PUBLIC;
CREATE TRIGGER catalog_page_keys AFTER INSERT ON catalog_page
    FOR EACH ROW EXECUTE FUNCTION hq_catalog_page_keys();

-- Pairs per product.
CREATE TABLE basket_product_day (
    local_date text NOT NULL,
    shop_id text NOT NULL REFERENCES shop (shop_id),
    product_id integer NOT NULL REFERENCES pair_code (id),  -- the product key's number
    name text NOT NULL,
    baskets bigint NOT NULL,
    PRIMARY KEY (local_date, shop_id, product_id)
);

CREATE TABLE pair_product_day (
    local_date text NOT NULL,
    shop_id text NOT NULL REFERENCES shop (shop_id),
    a integer NOT NULL REFERENCES pair_code (id),
    b integer NOT NULL REFERENCES pair_code (id),
    n bigint NOT NULL,
    PRIMARY KEY (local_date, shop_id, a, b),
    CHECK (a < b)
);

CREATE OR REPLACE FUNCTION hq_pair_rollup() RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    moved bigint;
    redo bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7021821096717);  -- one pair rollup at a time
    CREATE TEMP TABLE IF NOT EXISTS pair_todo (
        register_id text PRIMARY KEY, from_seq bigint NOT NULL, to_seq bigint NOT NULL
    ) ON COMMIT DROP;
    DELETE FROM pair_todo;
    INSERT INTO pair_todo
    SELECT r.register_id, COALESCE(u.last_seq, 0), r.last_seq
    FROM register r LEFT JOIN pair_rollup u USING (register_id)
    WHERE r.last_seq > COALESCE(u.last_seq, 0);
    SELECT count(*) INTO moved FROM pair_todo;

    -- the shops and days to count again: a code in their baskets has another product now
    CREATE TEMP TABLE IF NOT EXISTS pair_redo (
        local_date text NOT NULL, shop_id text NOT NULL, PRIMARY KEY (local_date, shop_id)
    ) ON COMMIT DROP;
    DELETE FROM pair_redo;
    WITH taken AS (DELETE FROM product_remap RETURNING code)
    INSERT INTO pair_redo
    SELECT DISTINCT d.local_date, d.shop_id
    FROM taken JOIN pair_code c ON c.code = taken.code
    JOIN basket_code_day d ON d.code_id = c.id;
    SELECT count(*) INTO redo FROM pair_redo;
    IF moved = 0 AND redo = 0 THEN
        RETURN 0;
    END IF;
    DELETE FROM basket_product_day d USING pair_redo r
    WHERE d.local_date = r.local_date AND d.shop_id = r.shop_id;
    DELETE FROM pair_product_day d USING pair_redo r
    WHERE d.local_date = r.local_date AND d.shop_id = r.shop_id;

    -- the goods of the new baskets (fresh) and of the redone days' baskets rolled up before,
    -- each code once a basket, with its product as the catalog says now
    CREATE TEMP TABLE IF NOT EXISTS pair_sold (
        register_id text NOT NULL, seq bigint NOT NULL, local_date text NOT NULL,
        shop_id text NOT NULL, code text NOT NULL, name text NOT NULL, product text NOT NULL,
        fresh boolean NOT NULL
    ) ON COMMIT DROP;
    DELETE FROM pair_sold;
    INSERT INTO pair_sold
    SELECT g.*, COALESCE(k.product, g.code), true
    FROM (
        SELECT s.register_id, s.seq, s.local_date, s.shop_id, l.code, max(l.name) AS name
        FROM pair_todo t JOIN sale s
          ON s.register_id = t.register_id AND s.seq > t.from_seq AND s.seq <= t.to_seq
        JOIN sale_line l ON l.register_id = s.register_id AND l.seq = s.seq
        WHERE s.kind = 'sale' AND NOT s.training
          AND l.qty_milli > 0 AND l.group_code NOT IN ('PANT', 'GAVEKORT')
        GROUP BY s.register_id, s.seq, s.local_date, s.shop_id, l.code
    ) g LEFT JOIN product_key k ON k.code = g.code;
    IF redo > 0 THEN
        INSERT INTO pair_sold
        SELECT g.*, COALESCE(k.product, g.code), false
        FROM (
            SELECT s.register_id, s.seq, s.local_date, s.shop_id, l.code, max(l.name) AS name
            FROM pair_redo r
            JOIN sale s ON s.local_date = r.local_date AND s.shop_id = r.shop_id
            JOIN pair_rollup u ON u.register_id = s.register_id AND s.seq <= u.last_seq
            JOIN sale_line l ON l.register_id = s.register_id AND l.seq = s.seq
            WHERE s.kind = 'sale' AND NOT s.training
              AND l.qty_milli > 0 AND l.group_code NOT IN ('PANT', 'GAVEKORT')
            GROUP BY s.register_id, s.seq, s.local_date, s.shop_id, l.code
        ) g LEFT JOIN product_key k ON k.code = g.code;
    END IF;

    INSERT INTO pair_code (code)
    SELECT code FROM pair_sold UNION SELECT product FROM pair_sold ORDER BY 1
    ON CONFLICT (code) DO NOTHING;

    -- per code, the new baskets only (as 0017): where each code was sold
    CREATE TEMP TABLE IF NOT EXISTS pair_item (
        register_id text NOT NULL, seq bigint NOT NULL, local_date text NOT NULL,
        shop_id text NOT NULL, code_id integer NOT NULL, name text NOT NULL
    ) ON COMMIT DROP;
    DELETE FROM pair_item;
    INSERT INTO pair_item
    SELECT p.register_id, p.seq, p.local_date, p.shop_id, c.id, p.name
    FROM pair_sold p JOIN pair_code c ON c.code = p.code
    WHERE p.fresh;

    INSERT INTO basket_day AS d
    SELECT local_date, shop_id, count(DISTINCT (register_id, seq))
    FROM pair_item
    GROUP BY local_date, shop_id
    ON CONFLICT (local_date, shop_id) DO UPDATE SET baskets = d.baskets + excluded.baskets;

    INSERT INTO basket_code_day AS d
    SELECT local_date, shop_id, code_id, max(name), count(*)
    FROM pair_item
    GROUP BY local_date, shop_id, code_id
    ON CONFLICT (local_date, shop_id, code_id) DO UPDATE SET
        name = GREATEST(d.name, excluded.name), baskets = d.baskets + excluded.baskets;

    -- per product, each product once a basket: the new baskets and the redone days'
    CREATE TEMP TABLE IF NOT EXISTS pair_goods (
        register_id text NOT NULL, seq bigint NOT NULL, local_date text NOT NULL,
        shop_id text NOT NULL, product_id integer NOT NULL, name text NOT NULL
    ) ON COMMIT DROP;
    DELETE FROM pair_goods;
    INSERT INTO pair_goods
    SELECT p.register_id, p.seq, p.local_date, p.shop_id, c.id, max(p.name)
    FROM pair_sold p JOIN pair_code c ON c.code = p.product
    GROUP BY p.register_id, p.seq, p.local_date, p.shop_id, c.id;
    ANALYZE pair_goods;

    INSERT INTO basket_product_day AS d
    SELECT local_date, shop_id, product_id, max(name), count(*)
    FROM pair_goods
    GROUP BY local_date, shop_id, product_id
    ON CONFLICT (local_date, shop_id, product_id) DO UPDATE SET
        name = GREATEST(d.name, excluded.name), baskets = d.baskets + excluded.baskets;

    INSERT INTO pair_product_day AS d
    SELECT x.local_date, x.shop_id, x.product_id, y.product_id, count(*)
    FROM pair_goods x JOIN pair_goods y
      ON y.register_id = x.register_id AND y.seq = x.seq AND y.product_id > x.product_id
    GROUP BY x.local_date, x.shop_id, x.product_id, y.product_id
    ON CONFLICT (local_date, shop_id, a, b) DO UPDATE SET n = d.n + excluded.n;

    INSERT INTO pair_rollup (register_id, last_seq)
    SELECT register_id, to_seq FROM pair_todo
    ON CONFLICT (register_id) DO UPDATE SET last_seq = excluded.last_seq;
    RETURN moved;
END;
$$;
REVOKE ALL ON FUNCTION hq_pair_rollup() FROM PUBLIC;

DROP TABLE pair_day;  -- per code; pair_product_day counts per product

-- The revisions published before this file, in order (later revisions win) ...
DO $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT c.revision, c.body FROM catalog_page c
             JOIN catalog_revision r ON r.revision = c.revision
             WHERE r.kind = 'products' ORDER BY c.revision, c.page LOOP
        PERFORM hq_product_keys(p.revision, p.body);
    END LOOP;
END;
$$;
-- ... and the product counts of every basket rolled up before: every day counted again.
INSERT INTO product_remap (code) SELECT code FROM pair_code ON CONFLICT (code) DO NOTHING;
SELECT hq_pair_rollup();
