-- The forecasting method chosen per product group (issue 16, `kassa hq forecast`): each
-- backtest's scores and the choice (the global model only where it clearly beats the local
-- method, never worse than same as last week), kept so that a forecast for the same last day
-- reuses it rather than training the model at every origin again, and so it can be read later.
CREATE TABLE forecast_choice (
    id bigserial PRIMARY KEY,
    made_at timestamptz NOT NULL DEFAULT now(),
    last_day text NOT NULL,             -- the last business day the backtest read
    shop_id text,                       -- NULL: every shop
    group_code text NOT NULL,
    scored_rows integer NOT NULL,       -- shop x product rows scored
    chosen text NOT NULL CHECK (chosen IN ('local', 'global', 'naive')),
    local_rmsse double precision NOT NULL,
    global_rmsse double precision,      -- NULL: no global model (LightGBM missing)
    naive_rmsse double precision NOT NULL,
    scores jsonb NOT NULL               -- every method's weighted RMSSE, WAPE and bias
);
CREATE INDEX forecast_choice_day ON forecast_choice (last_day, group_code);
