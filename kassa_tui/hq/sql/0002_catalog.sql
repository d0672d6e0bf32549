-- The shared catalog HQ publishes and the tills pull (issue 15; kassa_tui.hq.catalog,
-- kassa_tui.sync.pull). A publish is one REVISION: a file in the till's own import format
-- (products, or campaigns and planned prices), checked at HQ and stored as pages of rows.
--
-- Revision order is commit order: catalog_publish takes the next number by updating the one
-- row of catalog_head, and that row stays locked until the publishing transaction ends. A second
-- publisher waits there, so it can neither take a number below one still uncommitted nor commit
-- before it (a sequence could: a till pulling between the two commits would move past the
-- lower number and never see its rows). A rolled-back publish gives its number back: revisions
-- are gap-free, and a till applies exactly last + 1, never skipping one.
--
-- Append-only: a published revision is never changed or deleted (a correction is a new one).

CREATE TABLE catalog_head (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    revision bigint NOT NULL
);
INSERT INTO catalog_head (one, revision) VALUES (true, 0);

CREATE TABLE catalog_revision (
    revision bigint PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('products', 'campaigns')),
    source text NOT NULL,                    -- the file's name, as published
    row_count integer NOT NULL CHECK (row_count >= 0),
    page_count integer NOT NULL CHECK (page_count >= 0),
    published_by text NOT NULL DEFAULT session_user,
    published_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE catalog_page (
    revision bigint NOT NULL REFERENCES catalog_revision (revision),
    page integer NOT NULL CHECK (page >= 1),
    body jsonb NOT NULL CHECK (jsonb_typeof(body) = 'array'),  -- [{field: cell text}, ...]
    PRIMARY KEY (revision, page)
);

CREATE FUNCTION catalog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the published catalog is append-only (%: %)', TG_TABLE_NAME, TG_OP;
END;
$$;
CREATE TRIGGER catalog_revision_append_only BEFORE UPDATE OR DELETE ON catalog_revision
    FOR EACH ROW EXECUTE FUNCTION catalog_append_only();
CREATE TRIGGER catalog_page_append_only BEFORE UPDATE OR DELETE ON catalog_page
    FOR EACH ROW EXECUTE FUNCTION catalog_append_only();

-- Publish a revision: its number under catalog_head's row lock (held to the caller's commit).
CREATE FUNCTION catalog_publish(p_kind text, p_source text, p_pages jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    rev bigint;
BEGIN
    IF jsonb_typeof(p_pages) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'catalog_publish: the pages must be a JSON array';
    END IF;
    UPDATE catalog_head SET revision = revision + 1 WHERE one RETURNING revision INTO rev;
    INSERT INTO catalog_revision (revision, kind, source, row_count, page_count)
        SELECT rev, p_kind, p_source, COALESCE(sum(jsonb_array_length(value)), 0), count(*)
        FROM jsonb_array_elements(p_pages);
    INSERT INTO catalog_page (revision, page, body)
        SELECT rev, ordinality, value FROM jsonb_array_elements(p_pages) WITH ORDINALITY;
    RETURN rev;
END;
$$;

-- A register's role reads the published catalog and nothing else of it: SELECT on the two
-- tables (through the tills group of 0001), never INSERT, never catalog_publish.
REVOKE ALL ON FUNCTION catalog_publish(text, text, jsonb) FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('GRANT SELECT ON catalog_revision, catalog_page TO %I', hq_role('tills'));
END;
$$;
