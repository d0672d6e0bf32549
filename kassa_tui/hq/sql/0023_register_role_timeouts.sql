-- A register's HQ connections never pile up after a cut (issue 15, operations). A till cut off
-- mid-push (no FIN/RST reaches HQ) left its backends until the OS keepalive gave up (~2 h by
-- default): four cuts in that window used up the role's CONNECTION LIMIT 8 and locked the
-- register out of HQ. Every register's role gets what `kassa hq register add` now sets on a new
-- one (kassa_tui.hq.admin.ROLE_SETTINGS, the same values): HQ ends a session idle for 10 min
-- (the till opens its connections per round and closes them) and probes a silent connection
-- after 60 s, every 10 s, 6 times. Retired registers' roles too (harmless, and alike).

DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT reg.role FROM register reg
               JOIN pg_roles pr ON pr.rolname = reg.role
              ORDER BY reg.role LOOP
        EXECUTE format('ALTER ROLE %I SET idle_session_timeout = %L', r.role, '10min');
        EXECUTE format('ALTER ROLE %I SET tcp_keepalives_idle = %L', r.role, '60');
        EXECUTE format('ALTER ROLE %I SET tcp_keepalives_interval = %L', r.role, '10');
        EXECUTE format('ALTER ROLE %I SET tcp_keepalives_count = %L', r.role, '6');
    END LOOP;
END
$$;
