-- Which catalog revision each till sells on, as its own journal says (an IMPORT row with
-- what=hq_catalog per revision applied, pushed like every row): `kassa hq catalog --registers`.
CREATE INDEX entry_import ON entry (register_id, seq) WHERE basic_id = 'IMPORT';
