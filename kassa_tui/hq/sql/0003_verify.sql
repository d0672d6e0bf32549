-- Verifying the tills' chains at HQ (issue 15; kassa_tui.hq.verify, `kassa hq verify`).
--
-- register_key: the public keys a register's technician gave HQ (`kassa hq register key`),
-- by fingerprint. A key is used for a key version only when the register's own journal, as HQ
-- holds it, registers that version with that fingerprint (a KEYREG row): a rotation is accepted
-- when it arrives in the chain, and a key handed to HQ that the till never journaled signs
-- nothing.

CREATE TABLE register_key (
    register_id text NOT NULL REFERENCES register (register_id),
    fingerprint text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    public_pem text NOT NULL,
    added_at timestamptz NOT NULL DEFAULT now(),
    added_by text NOT NULL DEFAULT session_user,
    PRIMARY KEY (register_id, fingerprint)
);

-- The § 2-7 anchor a till checks its own journal against (`kassa sync`, `kassa journal verify
-- --against-hq`): the last seq HQ holds of the caller's own register and that row's hash.
CREATE FUNCTION hq_anchor(p_register text) RETURNS TABLE (last_seq bigint, last_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT r.last_seq, r.last_hash FROM register r
    WHERE r.register_id = p_register AND r.role = session_user
$$;
REVOKE ALL ON FUNCTION hq_anchor(text) FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION hq_anchor(text) TO %I', hq_role('tills'));
END;
$$;
