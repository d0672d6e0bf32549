-- kassa's database schema: schema version 11, as migrate() leaves it.
--
-- This file is for reading. A database is built (and an old one upgraded) by the migrations in
-- kassa_tui/store/migrations.py; tests/unit/test_schema.py runs them on a fresh database and on
-- upgraded ones and fails, with a diff, when sqlite_master differs from what this file creates
-- (compared with comments, whitespace and the quotes around plain names left out). So a
-- migration that changes the schema changes this file in the same commit.
--
-- Conventions: money is INTEGER øre, quantities INTEGER thousandths (0,374 kg = 374), VAT rates
-- basis points (2500 = 25 %), times TEXT (UTC as written by core.clock, plus the shop's local
-- date and time where a report needs them). Booleans are INTEGER 0/1. The tables of version 1
-- were made by Peewee (kassa_tui/store/database.py): their defaults live in Python, not here, so
-- plain SQL that inserts into them gives every NOT NULL column a value. Columns added later
-- (ALTER TABLE) come after the first ones, in the order they were added; a table's foreign
-- keys written as FOREIGN KEY clauses are the version-1 ones.
--
-- Tables are grouped by the room (package of kassa_tui) that owns them; a comment names the
-- modules that write a table, and the readers where they are outside that room.


-- == store ======================================================================================

-- Facts about the database: 'schema_version' (migrations.py) and 'training_mode:<register>'
-- (selling.sales keeps training mode across a restart).
CREATE TABLE setting (
    key TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);


-- == records ====================================================================================

-- The electronic journal (§ 2-7): one row per event, append-only, hash-chained per register
-- (records.journal writes it; dayclose, saft, selling and store.backup read it).
CREATE TABLE journal (
    id INTEGER NOT NULL PRIMARY KEY,
    register_id TEXT NOT NULL,
    seq INTEGER NOT NULL,            -- 1, 2, 3 … per register, no gaps
    uuid TEXT NOT NULL,
    event_code TEXT NOT NULL,        -- PredefinedBasicID-13, e.g. '13003'
    basic_id TEXT NOT NULL,          -- kassa's own event name, e.g. 'LOGIN', 'LINEADD'
    user_number INTEGER,
    utc TEXT NOT NULL,
    local_date TEXT NOT NULL,
    local_time TEXT NOT NULL,
    text TEXT NOT NULL,              -- the event's details (JSON), or ''
    sale_id INTEGER,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE UNIQUE INDEX journal_uuid ON journal (uuid);
CREATE UNIQUE INDEX journal_register_id_seq ON journal (register_id, seq);
CREATE INDEX journal_local_date ON journal (local_date);
CREATE INDEX journal_event_sale ON journal (event_code, sale_id);
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
    BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
    BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;

-- Receipts and drawer kicks waiting for the printer, and what became of them
-- (records.printqueue; devices.spooler prints them).
CREATE TABLE print_job (
    id INTEGER NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,              -- receipt, nosale, test …
    sale_id INTEGER,
    register_id TEXT NOT NULL,
    payload BLOB NOT NULL,           -- the receipt document (JSON)
    kick_drawer INTEGER NOT NULL,
    status TEXT NOT NULL,            -- queued, sending, printed
    attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    created_utc TEXT NOT NULL,
    printed_utc TEXT,
    FOREIGN KEY (sale_id) REFERENCES sale (id)
);
CREATE INDEX print_job_sale_id ON print_job (sale_id);
CREATE INDEX print_job_status ON print_job (status);


-- == catalog ====================================================================================
-- Read by catalog.lookup and catalog.search; written by the stock room (product form,
-- stock.importing) and by kassa_tui/demo.py.

-- Product groups, each mapped to a SAF-T standard group.
CREATE TABLE product_group (
    id INTEGER NOT NULL PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    saft_group TEXT NOT NULL         -- PredefinedBasicID-04, e.g. '04999'
);
CREATE UNIQUE INDEX product_group_code ON product_group (code);

-- What the shop sells, at what price and VAT rate.
CREATE TABLE product (
    id INTEGER NOT NULL PRIMARY KEY,
    plu TEXT,
    name TEXT NOT NULL,
    group_id INTEGER NOT NULL,
    vat_bp INTEGER NOT NULL,
    price_ore INTEGER NOT NULL,      -- VAT included; per kg when unit = 'kg'
    unit TEXT NOT NULL,              -- 'stk' or 'kg'
    active INTEGER NOT NULL,
    reorder_point_milli INTEGER NOT NULL DEFAULT 0,
    cost_ore INTEGER,                -- cost price per unit
    FOREIGN KEY (group_id) REFERENCES product_group (id)
);
CREATE UNIQUE INDEX product_plu ON product (plu);
CREATE INDEX product_group_id ON product (group_id);

-- Barcodes (EAN/GTIN) of a product; a product may have several.
CREATE TABLE barcode (
    code TEXT NOT NULL PRIMARY KEY,
    product_id INTEGER NOT NULL,
    FOREIGN KEY (product_id) REFERENCES product (id)
);
CREATE INDEX barcode_product_id ON barcode (product_id);

-- Search as you type: name, codes and group of every product (catalog.search keeps it in step
-- with product and barcode). The product_search_* tables are FTS5's own.
CREATE VIRTUAL TABLE product_search USING fts5(name, codes, grp,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');


-- == people =====================================================================================

-- Users: cashiers, shift leads and technicians (people.users). Other tables name a user by
-- `number`; basket and sale (version 1) point at `id`.
CREATE TABLE user (
    id INTEGER NOT NULL PRIMARY KEY,
    number INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,              -- cashier, shift_lead, technician
    pin_hash TEXT NOT NULL,          -- scrypt$N$r$p$salt$digest
    active INTEGER NOT NULL
);
CREATE UNIQUE INDEX user_number ON user (number);


-- == selling ====================================================================================

-- Baskets being built, parked or sold: they survive a crash line for line (selling.basket;
-- selling.sales marks them sold).
CREATE TABLE basket (
    id INTEGER NOT NULL PRIMARY KEY,
    uuid TEXT NOT NULL,
    register_id TEXT NOT NULL,
    user_id INTEGER,
    status TEXT NOT NULL,            -- open, parked, sold
    sale_discount_ore INTEGER NOT NULL,
    sale_discount_bp INTEGER NOT NULL,
    sale_discount_reason TEXT NOT NULL,
    created_utc TEXT NOT NULL,
    parked_utc TEXT,
    FOREIGN KEY (user_id) REFERENCES user (id)
);
CREATE UNIQUE INDEX basket_uuid ON basket (uuid);
CREATE INDEX basket_user_id ON basket (user_id);
CREATE INDEX basket_register_status ON basket (register_id, status);

-- A basket's lines, with the product's name, group, VAT and price as they were when scanned.
CREATE TABLE basket_line (
    id INTEGER NOT NULL PRIMARY KEY,
    basket_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    code TEXT NOT NULL,              -- what was scanned or keyed
    name TEXT NOT NULL,
    group_code TEXT NOT NULL,
    vat_bp INTEGER NOT NULL,
    unit TEXT NOT NULL,
    unit_price_ore INTEGER NOT NULL,
    list_price_ore INTEGER NOT NULL,
    qty_milli INTEGER NOT NULL,
    fixed_amount_ore INTEGER,        -- price-embedded barcodes
    discount_ore INTEGER NOT NULL,
    discount_bp INTEGER NOT NULL,
    discount_reason TEXT NOT NULL,
    override_by_id INTEGER,          -- the shift lead who approved a price override
    FOREIGN KEY (basket_id) REFERENCES basket (id) ON DELETE CASCADE,
    FOREIGN KEY (product_id) REFERENCES product (id),
    FOREIGN KEY (override_by_id) REFERENCES user (id)
);
CREATE INDEX basket_line_basket_id ON basket_line (basket_id);
CREATE INDEX basket_line_product_id ON basket_line (product_id);
CREATE INDEX basket_line_override_by_id ON basket_line (override_by_id);

-- Payments taken on a basket before it is completed (selling.sales).
CREATE TABLE basket_payment (
    id INTEGER NOT NULL PRIMARY KEY,
    basket_id INTEGER NOT NULL,
    method TEXT NOT NULL,            -- cash, card
    amount_ore INTEGER NOT NULL,
    tendered_ore INTEGER NOT NULL,
    created_utc TEXT NOT NULL,
    FOREIGN KEY (basket_id) REFERENCES basket (id) ON DELETE CASCADE
);
CREATE INDEX basket_payment_basket_id ON basket_payment (basket_id);

-- Gap-free number series per register: 'receipt', 'training', 'provisional' (selling.sales).
CREATE TABLE counter (
    register_id TEXT NOT NULL,
    series TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (register_id, series)
);

-- Completed transactions, signed (§ 2-7); append-only. Written by selling.sales, for sales and
-- for the returns selling.returns makes; read by dayclose and saft.
CREATE TABLE sale (
    id INTEGER NOT NULL PRIMARY KEY,
    register_id TEXT NOT NULL,
    receipt_nr INTEGER NOT NULL,
    uuid TEXT NOT NULL,
    basket_uuid TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    kind TEXT NOT NULL,              -- 'sale' or 'return' (a return's amounts are negative)
    total_ore INTEGER NOT NULL,
    vat_ore INTEGER NOT NULL,
    discount_ore INTEGER NOT NULL,
    rounding_ore INTEGER NOT NULL,
    change_ore INTEGER NOT NULL,
    completed_utc TEXT NOT NULL,
    local_date TEXT NOT NULL,
    local_time TEXT NOT NULL,
    signature TEXT,                  -- RSA-SHA1, chained over the register's previous one
    key_version TEXT,
    training INTEGER NOT NULL DEFAULT 0,
    original_sale_id INTEGER REFERENCES sale (id),  -- what a return returns
    reason TEXT NOT NULL DEFAULT '',
    approved_by INTEGER,             -- the approving shift lead's user number
    FOREIGN KEY (user_id) REFERENCES user (id)
);
CREATE UNIQUE INDEX sale_uuid ON sale (uuid);
CREATE UNIQUE INDEX sale_basket_uuid ON sale (basket_uuid);
CREATE INDEX sale_user_id ON sale (user_id);
CREATE UNIQUE INDEX sale_register_id_receipt_nr ON sale (register_id, receipt_nr);
CREATE INDEX sale_local_date ON sale (local_date);
CREATE INDEX sale_completed ON sale (completed_utc);
CREATE INDEX sale_register ON sale (register_id, id);
CREATE TRIGGER sale_no_update BEFORE UPDATE ON sale
    BEGIN SELECT RAISE(ABORT, 'sale is append-only'); END;
CREATE TRIGGER sale_no_delete BEFORE DELETE ON sale
    BEGIN SELECT RAISE(ABORT, 'sale is append-only'); END;

-- Every public key the sales were signed with, by key version (records.keyring); the newest
-- version is the one the till signs with. Registered by the first start that reads the key, or
-- by `kassa keys generate` (a technician's PIN), each journaled (KEYREG); append-only, so
-- `kassa journal verify` checks old sales with the key they were signed with.
CREATE TABLE signing_key (
    version TEXT NOT NULL PRIMARY KEY,
    public_pem TEXT NOT NULL,        -- SubjectPublicKeyInfo PEM, as sent with RF-1348
    fingerprint TEXT NOT NULL UNIQUE,  -- SHA-256 of the public key's DER, hex
    registered_utc TEXT NOT NULL,
    registered_by INTEGER            -- the technician's user number; NULL: the first start
);
CREATE TRIGGER signing_key_no_update BEFORE UPDATE ON signing_key
    BEGIN SELECT RAISE(ABORT, 'signing_key is append-only'); END;
CREATE TRIGGER signing_key_no_delete BEFORE DELETE ON signing_key
    BEGIN SELECT RAISE(ABORT, 'signing_key is append-only'); END;

-- A transaction's lines; append-only.
CREATE TABLE sale_line (
    id INTEGER NOT NULL PRIMARY KEY,
    sale_id INTEGER NOT NULL,
    line_nr INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    group_code TEXT NOT NULL,
    qty_milli INTEGER NOT NULL,
    unit_price_ore INTEGER NOT NULL,
    list_price_ore INTEGER NOT NULL,
    discount_ore INTEGER NOT NULL,
    amount_ore INTEGER NOT NULL,
    vat_bp INTEGER NOT NULL,
    vat_ore INTEGER NOT NULL,
    price_overridden INTEGER NOT NULL,
    FOREIGN KEY (sale_id) REFERENCES sale (id),
    FOREIGN KEY (product_id) REFERENCES product (id)
);
CREATE INDEX sale_line_product_id ON sale_line (product_id);
-- What X, Z and SAF-T sum, readable from the index alone.
CREATE INDEX sale_line_sale ON sale_line (sale_id, group_code, amount_ore, vat_bp, discount_ore);
CREATE TRIGGER sale_line_no_update BEFORE UPDATE ON sale_line
    BEGIN SELECT RAISE(ABORT, 'sale_line is append-only'); END;
CREATE TRIGGER sale_line_no_delete BEFORE DELETE ON sale_line
    BEGIN SELECT RAISE(ABORT, 'sale_line is append-only'); END;

-- A transaction's payments; append-only.
CREATE TABLE payment (
    id INTEGER NOT NULL PRIMARY KEY,
    sale_id INTEGER NOT NULL,
    method TEXT NOT NULL,            -- cash, card
    amount_ore INTEGER NOT NULL,
    tendered_ore INTEGER NOT NULL,
    FOREIGN KEY (sale_id) REFERENCES sale (id)
);
CREATE INDEX payment_sale_id ON payment (sale_id);
CREATE TRIGGER payment_no_update BEFORE UPDATE ON payment
    BEGIN SELECT RAISE(ABORT, 'payment is append-only'); END;
CREATE TRIGGER payment_no_delete BEFORE DELETE ON payment
    BEGIN SELECT RAISE(ABORT, 'payment is append-only'); END;

-- Cash in the drawer that is not a sale: opening float, pay-ins, pay-outs, counts
-- (selling.cash); append-only.
CREATE TABLE cash_event (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    register_id TEXT NOT NULL,
    kind TEXT NOT NULL,              -- float, payin, payout, count
    amount_ore INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '',
    user_number INTEGER,
    utc TEXT NOT NULL,
    local_date TEXT NOT NULL,
    local_time TEXT NOT NULL
);
CREATE INDEX cash_event_register ON cash_event (register_id, id);
CREATE TRIGGER cash_event_no_update BEFORE UPDATE ON cash_event
    BEGIN SELECT RAISE(ABORT, 'cash_event is append-only'); END;
CREATE TRIGGER cash_event_no_delete BEFORE DELETE ON cash_event
    BEGIN SELECT RAISE(ABORT, 'cash_event is append-only'); END;


-- == stock ======================================================================================

-- Stock is a sum of deltas, never an overwritten level (several tills merge later); append-only.
-- Written by stock.levels, stock.stocktake, stock.importing, kassa_tui/demo.py and, for sales
-- and returns, selling.sales.
CREATE TABLE stock_movement (
    id INTEGER NOT NULL PRIMARY KEY,
    uuid TEXT NOT NULL,
    product_id INTEGER NOT NULL,
    delta_milli INTEGER NOT NULL,
    reason TEXT NOT NULL,            -- sale, return, delivery, count, opening, import, adjust:<code>
    sale_id INTEGER,
    register_id TEXT NOT NULL,
    created_utc TEXT NOT NULL,
    FOREIGN KEY (product_id) REFERENCES product (id),
    FOREIGN KEY (sale_id) REFERENCES sale (id)
);
CREATE UNIQUE INDEX stock_movement_uuid ON stock_movement (uuid);
CREATE INDEX stock_movement_product_id ON stock_movement (product_id);
CREATE INDEX stock_movement_sale_id ON stock_movement (sale_id);
CREATE INDEX stock_movement_product_time ON stock_movement (product_id, created_utc);
CREATE TRIGGER stock_movement_no_update BEFORE UPDATE ON stock_movement
    BEGIN SELECT RAISE(ABORT, 'stock_movement is append-only'); END;
CREATE TRIGGER stock_movement_no_delete BEFORE DELETE ON stock_movement
    BEGIN SELECT RAISE(ABORT, 'stock_movement is append-only'); END;

-- The level on hand per product: kept by the trigger below, never written by code.
CREATE TABLE product_stock (
    product_id INTEGER PRIMARY KEY REFERENCES product (id),
    on_hand_milli INTEGER NOT NULL DEFAULT 0
);
CREATE TRIGGER stock_movement_level AFTER INSERT ON stock_movement BEGIN
    INSERT INTO product_stock (product_id, on_hand_milli) VALUES (NEW.product_id, NEW.delta_milli)
    ON CONFLICT (product_id) DO UPDATE SET on_hand_milli = on_hand_milli + NEW.delta_milli;
END;

-- Goods received (stock.levels); append-only.
CREATE TABLE delivery (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    register_id TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',  -- the supplier's delivery note
    user_number INTEGER,
    created_utc TEXT NOT NULL,
    local_date TEXT NOT NULL
);
CREATE TRIGGER delivery_no_update BEFORE UPDATE ON delivery
    BEGIN SELECT RAISE(ABORT, 'delivery is append-only'); END;
CREATE TRIGGER delivery_no_delete BEFORE DELETE ON delivery
    BEGIN SELECT RAISE(ABORT, 'delivery is append-only'); END;

-- A delivery's lines; append-only.
CREATE TABLE delivery_line (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES delivery (id),
    product_id INTEGER NOT NULL REFERENCES product (id),
    qty_milli INTEGER NOT NULL,
    cost_ore INTEGER
);
CREATE INDEX delivery_line_product ON delivery_line (product_id);
CREATE TRIGGER delivery_line_no_update BEFORE UPDATE ON delivery_line
    BEGIN SELECT RAISE(ABORT, 'delivery_line is append-only'); END;
CREATE TRIGGER delivery_line_no_delete BEFORE DELETE ON delivery_line
    BEGIN SELECT RAISE(ABORT, 'delivery_line is append-only'); END;

-- Stocktakes, of the whole shop or one group (stock.stocktake).
CREATE TABLE stocktake (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    register_id TEXT NOT NULL,
    group_code TEXT,                 -- NULL: the whole shop
    status TEXT NOT NULL DEFAULT 'counting',
    user_number INTEGER,
    started_utc TEXT NOT NULL,
    posted_utc TEXT
);

-- What was counted in a stocktake, per product; posting it writes stock movements.
CREATE TABLE stocktake_count (
    stocktake_id INTEGER NOT NULL REFERENCES stocktake (id),
    product_id INTEGER NOT NULL REFERENCES product (id),
    counted_milli INTEGER NOT NULL,
    PRIMARY KEY (stocktake_id, product_id)
);


-- == dayclose ===================================================================================

-- Z reports (dayclose.reports): a Z covers everything after the previous Z's last journal row,
-- so nothing is in two; one per register and business day; append-only.
CREATE TABLE z_report (
    id INTEGER PRIMARY KEY,
    register_id TEXT NOT NULL,
    z_nr INTEGER NOT NULL,
    business_date TEXT NOT NULL,
    last_journal_seq INTEGER NOT NULL,
    last_sale_id INTEGER NOT NULL,
    last_cash_event_id INTEGER NOT NULL,
    user_number INTEGER,
    utc TEXT NOT NULL,
    local_date TEXT NOT NULL,
    local_time TEXT NOT NULL,
    report TEXT NOT NULL,            -- the Z's figures (JSON)
    UNIQUE (register_id, z_nr),
    UNIQUE (register_id, business_date)
);
CREATE TRIGGER z_report_no_update BEFORE UPDATE ON z_report
    BEGIN SELECT RAISE(ABORT, 'z_report is append-only'); END;
CREATE TRIGGER z_report_no_delete BEFORE DELETE ON z_report
    BEGIN SELECT RAISE(ABORT, 'z_report is append-only'); END;


-- == issue 14: counter features (migration 9, one part per feature) ============================

-- == v9 pant
-- Pant (deposit on drinks; selling.pant, stock.deposits). A deposit type is sold as its own
-- product (group 'PANT'), so a pant line is an ordinary basket and sale line.
CREATE TABLE deposit_type (
    id INTEGER NOT NULL PRIMARY KEY,
    code TEXT NOT NULL,              -- the shop's short code, e.g. 'A'
    name TEXT NOT NULL,              -- e.g. 'Pant 2 kr (til og med 0,5 l)'
    amount_ore INTEGER NOT NULL,     -- per unit of the drink, VAT included
    vat_bp INTEGER,                  -- NULL: the drink's own rate (pant is part of its price)
    account TEXT NOT NULL,           -- revenue account of pant sold and paid out
    product_id INTEGER NOT NULL,     -- the product pant lines are sold as
    FOREIGN KEY (product_id) REFERENCES product (id)
);
CREATE UNIQUE INDEX deposit_type_code ON deposit_type (code);
CREATE UNIQUE INDEX deposit_type_product_id ON deposit_type (product_id);

-- The drinks that carry a deposit type.
CREATE TABLE product_deposit (
    product_id INTEGER NOT NULL PRIMARY KEY,
    deposit_type_id INTEGER NOT NULL,
    FOREIGN KEY (product_id) REFERENCES product (id),
    FOREIGN KEY (deposit_type_id) REFERENCES deposit_type (id)
);
CREATE INDEX product_deposit_deposit_type_id ON product_deposit (deposit_type_id);

-- A basket's pant lines: the drink line each follows, or the bottle-return slip it redeems.
CREATE TABLE basket_pant (
    line_id INTEGER NOT NULL PRIMARY KEY,
    drink_line_id INTEGER,           -- NULL for a slip
    slip_serial TEXT,                -- the slip's serial (a slip line)
    FOREIGN KEY (line_id) REFERENCES basket_line (id) ON DELETE CASCADE,
    FOREIGN KEY (drink_line_id) REFERENCES basket_line (id) ON DELETE CASCADE
);
CREATE INDEX basket_pant_drink_line_id ON basket_pant (drink_line_id);

-- Bottle-return slips redeemed, each once (selling.pant); append-only.
CREATE TABLE pant_slip (
    serial TEXT NOT NULL PRIMARY KEY,
    amount_ore INTEGER NOT NULL,
    sale_id INTEGER NOT NULL,
    redeemed_utc TEXT NOT NULL,
    FOREIGN KEY (sale_id) REFERENCES sale (id)
);
CREATE INDEX pant_slip_sale_id ON pant_slip (sale_id);
CREATE TRIGGER pant_slip_no_update BEFORE UPDATE ON pant_slip
    BEGIN SELECT RAISE(ABORT, 'pant_slip is append-only'); END;
CREATE TRIGGER pant_slip_no_delete BEFORE DELETE ON pant_slip
    BEGIN SELECT RAISE(ABORT, 'pant_slip is append-only'); END;

-- == v9 campaigns

-- Multi-buys and mix-and-match (selling.campaigns prices them; stock.importing.campaigns and
-- cli.campaigns write them). kind 'n_for_m': any `quantity` units of the campaign's products,
-- the customer pays for the `pay_for` dearest ('3 for 2'); 'n_for_price': any `quantity` units
-- for `price_ore` together ('2 for 50 kr', 'any 3 from the list for 99 kr').
CREATE TABLE campaign (
    id INTEGER NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,              -- printed on the receipt's discount line
    kind TEXT NOT NULL,              -- n_for_m, n_for_price
    quantity INTEGER NOT NULL,
    pay_for INTEGER NOT NULL,        -- n_for_m only, else 0
    price_ore INTEGER NOT NULL,      -- n_for_price only, else 0
    valid_from_utc TEXT NOT NULL,
    valid_to_utc TEXT,               -- NULL: until ended
    active INTEGER NOT NULL,
    created_utc TEXT NOT NULL
);
CREATE UNIQUE INDEX campaign_name ON campaign (name);

-- The products a campaign takes; read by product on every scan.
CREATE TABLE campaign_product (
    product_id INTEGER NOT NULL REFERENCES product (id),
    campaign_id INTEGER NOT NULL REFERENCES campaign (id),
    PRIMARY KEY (product_id, campaign_id)
);
CREATE INDEX campaign_product_campaign ON campaign_product (campaign_id);

-- What each campaign took off a completed sale (its lines' discounts carry the same øre), kept
-- per campaign for later reports (selling.sales writes it). Append-only.
CREATE TABLE sale_campaign (
    sale_id INTEGER NOT NULL REFERENCES sale (id),
    campaign_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    groups INTEGER NOT NULL,
    discount_ore INTEGER NOT NULL,
    PRIMARY KEY (sale_id, campaign_id)
);
CREATE INDEX sale_campaign_campaign ON sale_campaign (campaign_id);
CREATE TRIGGER sale_campaign_no_update BEFORE UPDATE ON sale_campaign
    BEGIN SELECT RAISE(ABORT, 'sale_campaign is append-only'); END;
CREATE TRIGGER sale_campaign_no_delete BEFORE DELETE ON sale_campaign
    BEGIN SELECT RAISE(ABORT, 'sale_campaign is append-only'); END;

-- Planned prices (catalog.planned_prices): at valid_from the product's price becomes price_ore
-- (state 'planned' -> 'active', the old price kept in previous_price_ore), at valid_to it goes
-- back ('ended'); each switch is journaled 13021 when the till's clock reaches it.
CREATE TABLE planned_price (
    id INTEGER NOT NULL PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES product (id),
    price_ore INTEGER NOT NULL,
    valid_from_utc TEXT NOT NULL,
    valid_to_utc TEXT,
    state TEXT NOT NULL,             -- planned, active, ended
    previous_price_ore INTEGER,
    created_utc TEXT NOT NULL
);
CREATE INDEX planned_price_due ON planned_price (state, valid_from_utc);

-- == v9 gift cards
-- Gift cards and credit notes (tilgodelapper; selling.gift_cards). A card is its barcode, its
-- kind and its last day; what it holds is the sum of its movements: + issued (sold, or a
-- return refunded to a credit note), - redeemed as a payment. Money on a card is a liability
-- (accounting.md: 2901 gavekort, 2902 tilgodelapper), never revenue. Both append-only.
CREATE TABLE gift_card (
    id INTEGER NOT NULL PRIMARY KEY,
    code TEXT NOT NULL,              -- the barcode: a card from the stack, or printed
    kind TEXT NOT NULL,              -- gift (gavekort), credit (tilgodelapp)
    register_id TEXT NOT NULL,       -- the till that issued it
    issued_utc TEXT NOT NULL,
    expires_local_date TEXT NOT NULL -- the last day (Oslo) it can be redeemed
);
CREATE UNIQUE INDEX gift_card_code ON gift_card (code);
CREATE TABLE gift_card_movement (
    id INTEGER NOT NULL PRIMARY KEY,
    card_id INTEGER NOT NULL REFERENCES gift_card (id),
    amount_ore INTEGER NOT NULL,     -- + issued, - redeemed
    basket_uuid TEXT NOT NULL,       -- the sale's basket (sale.basket_uuid once it completes)
    register_id TEXT NOT NULL,
    user_number INTEGER,
    created_utc TEXT NOT NULL
);
CREATE INDEX gift_card_movement_card ON gift_card_movement (card_id);
CREATE INDEX gift_card_movement_time ON gift_card_movement (register_id, created_utc);
CREATE TRIGGER gift_card_no_update BEFORE UPDATE ON gift_card
    BEGIN SELECT RAISE(ABORT, 'gift_card is append-only'); END;
CREATE TRIGGER gift_card_no_delete BEFORE DELETE ON gift_card
    BEGIN SELECT RAISE(ABORT, 'gift_card is append-only'); END;
CREATE TRIGGER gift_card_movement_no_update BEFORE UPDATE ON gift_card_movement
    BEGIN SELECT RAISE(ABORT, 'gift_card_movement is append-only'); END;
CREATE TRIGGER gift_card_movement_no_delete BEFORE DELETE ON gift_card_movement
    BEGIN SELECT RAISE(ABORT, 'gift_card_movement is append-only'); END;


-- == v9 counter rules
-- Age limits and beer hours (selling.age_check, selling.beer_hours) and the eat-in VAT rate
-- (selling.eat_in), kept beside the catalog (catalog.counter_rules): a group's rule holds for
-- its products; a product's own row overrides it (NULL: as its group).
CREATE TABLE group_counter_rule (
    group_id INTEGER NOT NULL PRIMARY KEY,
    age_limit INTEGER NOT NULL,      -- 0: none; 18 for beer and tobacco
    beer INTEGER NOT NULL,           -- 1: beer (alcohol at most 4,7 %): only in the sales hours
    FOREIGN KEY (group_id) REFERENCES product_group (id)
);
CREATE TABLE product_counter_rule (
    product_id INTEGER NOT NULL PRIMARY KEY,
    age_limit INTEGER,               -- NULL: the group's
    beer INTEGER,                    -- NULL: the group's
    eat_in_vat_bp INTEGER,           -- the rate when eaten in (food: 2500); NULL: no other rate
    FOREIGN KEY (product_id) REFERENCES product (id)
);

-- The open basket's counter state: eaten in (the eat-in rates apply to its lines) and the
-- highest age limit the cashier has confirmed for this customer (journaled AGECHECK once).
-- A voided basket keeps its row, as it keeps its lines (status 'voided', selling.void).
CREATE TABLE basket_counter_state (
    basket_id INTEGER NOT NULL PRIMARY KEY,
    eat_in INTEGER NOT NULL,
    age_confirmed INTEGER NOT NULL,  -- 0: not asked yet
    FOREIGN KEY (basket_id) REFERENCES basket (id) ON DELETE CASCADE
);

-- Completed sales that were eaten in (the receipt says so; the lines carry the rates).
-- Written with the sale by selling.sales; append-only.
CREATE TABLE sale_eat_in (
    sale_id INTEGER NOT NULL PRIMARY KEY,
    FOREIGN KEY (sale_id) REFERENCES sale (id)
);
CREATE TRIGGER sale_eat_in_no_update BEFORE UPDATE ON sale_eat_in
    BEGIN SELECT RAISE(ABORT, 'sale_eat_in is append-only'); END;
CREATE TRIGGER sale_eat_in_no_delete BEFORE DELETE ON sale_eat_in
    BEGIN SELECT RAISE(ABORT, 'sale_eat_in is append-only'); END;

-- == v10 gift card sales

-- == v10 campaigns

-- == v10 sync
-- What the head office has acknowledged of this register's journal (kassa_tui.sync.push): the
-- journal rows after acked_seq wait to be pushed. acked_seq is only ever set to the last seq HQ
-- RETURNED (never to what was sent); status/message: the last push ('ok', 'fork', 'error',
-- 'ahead'). Sync deletes nothing: the journal stays whole whatever HQ holds.
CREATE TABLE sync_cursor (
    register_id TEXT NOT NULL PRIMARY KEY,
    acked_seq INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    hq_seq INTEGER,                  -- the last seq HQ said it holds (may be above acked_seq)
    last_attempt_utc TEXT,
    last_ok_utc TEXT
);

-- == v10 catalog pull
-- The head office's catalog revisions this till applied (kassa_tui.sync.pull), one row each, in
-- the same SQLite transaction as the revision's products or campaigns; the highest is the
-- revision the till sells on. Append-only.
CREATE TABLE catalog_pull (
    revision INTEGER NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,              -- products, campaigns
    source TEXT NOT NULL,            -- the file HQ published
    row_count INTEGER NOT NULL,
    rejected INTEGER NOT NULL,       -- rows this till could not take (journaled)
    applied_utc TEXT NOT NULL
);
CREATE TRIGGER catalog_pull_no_update BEFORE UPDATE ON catalog_pull
    BEGIN SELECT RAISE(ABORT, 'catalog_pull is append-only'); END;
CREATE TRIGGER catalog_pull_no_delete BEFORE DELETE ON catalog_pull
    BEGIN SELECT RAISE(ABORT, 'catalog_pull is append-only'); END;

-- == v10 sales history
-- The old system's sales history (`kassa import sales`, kassa_tui.insight.history), so trends and
-- forecasts work from day one. HISTORY, not kassa's transactions: no receipt, no signature, never
-- in the journal's sales, an X, a Z, SAF-T or a voucher. One row per import (the file's SHA-256:
-- the same file is not imported twice; the import itself is journaled as IMPORT) and one per row
-- of the file. Append-only.
CREATE TABLE sales_history_import (
    id INTEGER NOT NULL PRIMARY KEY,
    file TEXT NOT NULL,              -- the file's name
    sha256 TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    first_date TEXT NOT NULL,        -- local dates of the first and last row
    last_date TEXT NOT NULL,
    qty_milli INTEGER NOT NULL,      -- the file's totals
    amount_ore INTEGER NOT NULL,
    user_number INTEGER NOT NULL,    -- who imported it
    imported_utc TEXT NOT NULL
);
CREATE UNIQUE INDEX sales_history_import_sha256 ON sales_history_import (sha256);
CREATE TABLE sales_history (
    id INTEGER NOT NULL PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES sales_history_import (id),
    line INTEGER NOT NULL,           -- the row's line in the file
    local_date TEXT NOT NULL,        -- the day it was sold, as the old system says
    local_time TEXT NOT NULL,        -- HH:MM:SS, '' when the file gives only the day
    product_id INTEGER NOT NULL REFERENCES product (id),
    code TEXT NOT NULL,              -- the code in the file
    qty_milli INTEGER NOT NULL,      -- negative for a return in the old system
    amount_ore INTEGER NOT NULL      -- VAT included
);
-- What the insight figures sum per day, readable from the index alone.
CREATE INDEX sales_history_date ON sales_history (local_date, product_id, qty_milli, amount_ore);
CREATE INDEX sales_history_product ON sales_history (product_id, local_date);
CREATE TRIGGER sales_history_import_no_update BEFORE UPDATE ON sales_history_import
    BEGIN SELECT RAISE(ABORT, 'sales_history_import is append-only'); END;
CREATE TRIGGER sales_history_import_no_delete BEFORE DELETE ON sales_history_import
    BEGIN SELECT RAISE(ABORT, 'sales_history_import is append-only'); END;
CREATE TRIGGER sales_history_no_update BEFORE UPDATE ON sales_history
    BEGIN SELECT RAISE(ABORT, 'sales_history is append-only'); END;
CREATE TRIGGER sales_history_no_delete BEFORE DELETE ON sales_history
    BEGIN SELECT RAISE(ABORT, 'sales_history is append-only'); END;

-- == v11 purchase orders
-- Suppliers and what the shop orders from them (kassa_tui.ordering, issue 16). A supplier and a
-- product's ordering facts are master data (changed by a shift lead, journaled 13021 MASTERDATA).
-- A purchase order is made only when a shift lead confirms one (kassa never orders by itself);
-- the order, its lines, its status changes and what goods in booked against it are append-only:
-- a status change is a new purchase_order_event row, the latest one is the order's status.
CREATE TABLE supplier (
    id INTEGER NOT NULL PRIMARY KEY,
    code TEXT NOT NULL,              -- the shop's short code, e.g. ASKO
    name TEXT NOT NULL,
    lead_days INTEGER NOT NULL,      -- days from an order to its delivery
    review_days INTEGER NOT NULL,    -- days between two orders to this supplier
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX supplier_code ON supplier (code);
-- Per product: its supplier, the supplier's article code, the pack it comes in, the least order.
CREATE TABLE product_supplier (
    product_id INTEGER NOT NULL PRIMARY KEY REFERENCES product (id),
    supplier_id INTEGER NOT NULL REFERENCES supplier (id),
    supplier_code TEXT NOT NULL DEFAULT '',
    pack_size INTEGER NOT NULL DEFAULT 1,   -- units a pack; orders are whole packs
    min_order INTEGER NOT NULL DEFAULT 0    -- the fewest units an order line may have
);
CREATE INDEX product_supplier_supplier ON product_supplier (supplier_id);
CREATE TABLE purchase_order (
    id INTEGER NOT NULL PRIMARY KEY,
    register_id TEXT NOT NULL,
    number INTEGER NOT NULL,         -- 1, 2, 3 … per register
    supplier_id INTEGER NOT NULL REFERENCES supplier (id),
    user_number INTEGER NOT NULL,    -- the shift lead who confirmed it
    created_utc TEXT NOT NULL,
    local_date TEXT NOT NULL
);
CREATE UNIQUE INDEX purchase_order_number ON purchase_order (register_id, number);
CREATE TABLE purchase_order_line (
    id INTEGER NOT NULL PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES purchase_order (id),
    product_id INTEGER NOT NULL REFERENCES product (id),
    qty INTEGER NOT NULL,            -- units ordered (whole packs)
    pack_size INTEGER NOT NULL,
    cost_ore INTEGER,                -- cost price per unit when known
    suggested INTEGER NOT NULL,      -- what kassa proposed (the shift lead may have changed it)
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX purchase_order_line_order ON purchase_order_line (order_id);
CREATE INDEX purchase_order_line_product ON purchase_order_line (product_id);
CREATE TABLE purchase_order_event (
    id INTEGER NOT NULL PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES purchase_order (id),
    status TEXT NOT NULL,            -- confirmed, closed (all received), cancelled
    user_number INTEGER,
    created_utc TEXT NOT NULL
);
CREATE INDEX purchase_order_event_order ON purchase_order_event (order_id);
-- What a delivery (goods in) booked against an order, per product.
CREATE TABLE purchase_order_receipt (
    id INTEGER NOT NULL PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES purchase_order (id),
    delivery_id INTEGER NOT NULL REFERENCES delivery (id),
    product_id INTEGER NOT NULL REFERENCES product (id),
    qty INTEGER NOT NULL,            -- units received
    created_utc TEXT NOT NULL
);
CREATE INDEX purchase_order_receipt_order ON purchase_order_receipt (order_id);
CREATE TRIGGER purchase_order_no_update BEFORE UPDATE ON purchase_order
    BEGIN SELECT RAISE(ABORT, 'purchase_order is append-only'); END;
CREATE TRIGGER purchase_order_no_delete BEFORE DELETE ON purchase_order
    BEGIN SELECT RAISE(ABORT, 'purchase_order is append-only'); END;
CREATE TRIGGER purchase_order_line_no_update BEFORE UPDATE ON purchase_order_line
    BEGIN SELECT RAISE(ABORT, 'purchase_order_line is append-only'); END;
CREATE TRIGGER purchase_order_line_no_delete BEFORE DELETE ON purchase_order_line
    BEGIN SELECT RAISE(ABORT, 'purchase_order_line is append-only'); END;
CREATE TRIGGER purchase_order_event_no_update BEFORE UPDATE ON purchase_order_event
    BEGIN SELECT RAISE(ABORT, 'purchase_order_event is append-only'); END;
CREATE TRIGGER purchase_order_event_no_delete BEFORE DELETE ON purchase_order_event
    BEGIN SELECT RAISE(ABORT, 'purchase_order_event is append-only'); END;
CREATE TRIGGER purchase_order_receipt_no_update BEFORE UPDATE ON purchase_order_receipt
    BEGIN SELECT RAISE(ABORT, 'purchase_order_receipt is append-only'); END;
CREATE TRIGGER purchase_order_receipt_no_delete BEFORE DELETE ON purchase_order_receipt
    BEGIN SELECT RAISE(ABORT, 'purchase_order_receipt is append-only'); END;

-- == v11 customer club
-- The consent-based customer club (kassa_tui.club). The person lives in `member` only: phone,
-- card and name, with the consents and the consent text's version. The sale, its lines, the
-- journal and the receipts never hold them; `member_sale` links a completed sale to a member's
-- internal number OUTSIDE the signed tables. `kassa customers forget` erases the personal fields
-- and consents (the row stays, marked forgotten, so member numbers are never reused) and deletes
-- the member's links and offers: the fiscal records stay byte-identical and complete, while
-- nothing joins them to the person any more.
CREATE TABLE member (
    id INTEGER NOT NULL PRIMARY KEY, -- the member number printed on receipts
    phone TEXT,                      -- +47XXXXXXXX; NULL once forgotten
    card TEXT,                       -- the member card's barcode, or NULL
    name TEXT,                       -- optional; NULL once forgotten
    joined_utc TEXT NOT NULL,
    consent_purchases INTEGER NOT NULL,  -- 1: purchases are kept and linked
    consent_offers INTEGER NOT NULL,     -- 1: personal offers on the receipt
    consent_version TEXT NOT NULL,   -- the consent text's version the member agreed to
    consent_utc TEXT NOT NULL,
    forgotten_utc TEXT               -- set when the person was removed
);
CREATE UNIQUE INDEX member_phone ON member (phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX member_card ON member (card) WHERE card IS NOT NULL;
-- A completed sale bought by a member, written in the sale's own transaction.
CREATE TABLE member_sale (
    sale_id INTEGER NOT NULL PRIMARY KEY REFERENCES sale (id),
    member_id INTEGER NOT NULL REFERENCES member (id)
);
CREATE INDEX member_sale_member ON member_sale (member_id);
-- The member identified on an open basket (so member prices apply and the sale is linked).
CREATE TABLE basket_member (
    basket_id INTEGER NOT NULL PRIMARY KEY REFERENCES basket (id),
    member_id INTEGER NOT NULL REFERENCES member (id)
);
-- Campaigns that only members get (`members_only` in the campaign import and form).
CREATE TABLE campaign_member (
    campaign_id INTEGER NOT NULL PRIMARY KEY REFERENCES campaign (id)
);
-- Personal offers printed on a member's receipt ("Neste gang: 20 % på filterpapir"), redeemed
-- once by scanning their code in a later sale of the same member.
CREATE TABLE member_offer (
    id INTEGER NOT NULL PRIMARY KEY,
    code TEXT NOT NULL,              -- the barcode printed on the receipt
    member_id INTEGER NOT NULL REFERENCES member (id),
    product_id INTEGER NOT NULL REFERENCES product (id),
    percent INTEGER NOT NULL,
    valid_to_local_date TEXT NOT NULL,   -- the last day it holds
    given_sale_id INTEGER NOT NULL REFERENCES sale (id),
    given_utc TEXT NOT NULL
);
CREATE UNIQUE INDEX member_offer_code ON member_offer (code);
-- An offer scanned on an open basket, and the sale that redeemed it (once).
CREATE TABLE basket_offer (
    basket_id INTEGER NOT NULL REFERENCES basket (id),
    offer_id INTEGER NOT NULL PRIMARY KEY REFERENCES member_offer (id)
);
CREATE TABLE member_offer_redeemed (
    offer_id INTEGER NOT NULL PRIMARY KEY REFERENCES member_offer (id),
    sale_id INTEGER NOT NULL REFERENCES sale (id),
    discount_ore INTEGER NOT NULL,
    redeemed_utc TEXT NOT NULL
);
-- Each consent a member gave or withdrew (joining, `kassa customers consent`): the answers, the
-- consent text's version, when and who at the till. Deleted with the person on forget (the
-- journal's MEMBERJOIN/MEMBERCONSENT rows keep the member number and the answers).
CREATE TABLE member_consent (
    id INTEGER NOT NULL PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES member (id),
    purchases INTEGER NOT NULL,
    offers INTEGER NOT NULL,
    version TEXT NOT NULL,
    utc TEXT NOT NULL,
    user_number INTEGER NOT NULL
);
CREATE INDEX member_consent_member ON member_consent (member_id);

-- == v11 register ops
-- A register signed out for good (`kassa register retire`, kassa_tui.sync.retire): the
-- REGISTERRETIRE journal row's seq, who and why. The till sells nothing after it
-- (kassa_tui.records.retirement); one row a register, never changed or removed.
CREATE TABLE register_retired (
    register_id TEXT NOT NULL PRIMARY KEY,
    seq INTEGER NOT NULL,
    utc TEXT NOT NULL,
    user_number INTEGER NOT NULL,
    reason TEXT NOT NULL
);
CREATE TRIGGER register_retired_no_update BEFORE UPDATE ON register_retired
    BEGIN SELECT RAISE(ABORT, 'register_retired is append-only'); END;
CREATE TRIGGER register_retired_no_delete BEFORE DELETE ON register_retired
    BEGIN SELECT RAISE(ABORT, 'register_retired is append-only'); END;
