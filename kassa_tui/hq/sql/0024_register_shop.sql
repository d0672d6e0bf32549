-- A till learns its own shop from HQ (issue 15: a till's shop and HQ's idea of it must agree).
-- HQ books a register's sales and stock moves to register.shop_id (`kassa hq register add
-- REGISTER --shop SHOP`); the till has its own optional `[shop] shop_id` in kassa.toml, used by
-- transfers (a till refuses to send to its own shop). Each sync round reads HQ's shop through
-- this function (kassa_tui.sync.shop_check): the till uses it when kassa.toml names none, and
-- says so (and refuses transfers) when the two differ. Like hq_anchor, a register role reads
-- only its own register; asking for another's is an error, as ingest's.

CREATE FUNCTION register_shop(p_register text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_shop text;
BEGIN
    SELECT r.shop_id INTO v_shop FROM register r
     WHERE r.register_id = p_register AND r.role = session_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'register_shop: % may not read register %', session_user, p_register
            USING ERRCODE = '42501';
    END IF;
    RETURN v_shop;
END;
$$;
REVOKE ALL ON FUNCTION register_shop(text) FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION register_shop(text) TO %I', hq_role('tills'));
END;
$$;
