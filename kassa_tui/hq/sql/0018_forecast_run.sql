-- The forecasts `kassa hq forecast` made (issue 16), kept for the insight screen at the head
-- office (`kassa hq insight`, its Forecast tab): the screen shows the last one made for the
-- last day HQ holds and never trains a model itself. One row per run: the days forecast and,
-- biggest first, each shop and product's method and units per day (as `--json` prints them).
CREATE TABLE forecast_run (
    id bigserial PRIMARY KEY,
    made_at timestamptz NOT NULL DEFAULT now(),
    last_day text NOT NULL,             -- the last business day the forecast read
    shop_id text,                       -- NULL: every shop
    group_code text,                    -- NULL: every product group
    days jsonb NOT NULL,                -- ["2026-11-28", ...]
    rows jsonb NOT NULL                 -- [{"shop", "code", "name", "group", "model", "forecast"}]
);
CREATE INDEX forecast_run_day ON forecast_run (last_day, shop_id);
