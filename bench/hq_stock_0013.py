"""The stock report's query as it was before 0019 (kassa_tui/hq/report.py at fcfd7cf): the
benchmark's "before" row beside `kassa hq report stock` (bench_hq_report.py), and the oracle
tests/hq/test_report_stock_levels.py compares the report with: kept here once, so the bench
needs nothing of the test tree."""

from __future__ import annotations

from datetime import date, timedelta

# The stock query as it was before 0019 (report.py at fcfd7cf): whole months from stock_month, the
# days of a month the period covers in part from stock_day, the level now less what moved after.
STOCK_0013 = """
WITH sold AS (
    SELECT v.shop_id, v.code, v.name,
           COALESCE(d.moved, 0) AS moved,
           v.level_milli - COALESCE(d.after, 0) AS level,
           d.code IS NOT NULL AS seen
    FROM stock_level v
    LEFT JOIN (
        SELECT shop_id, code, sum(moved)::bigint AS moved, sum(after)::bigint AS after
        FROM (
            SELECT shop_id, code, delta_milli AS moved, 0 AS after
            FROM stock_month
            WHERE month BETWEEN %(whole_from)s AND %(whole_to)s
              AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
            UNION ALL
            SELECT shop_id, code, delta_milli, 0
            FROM stock_day
            WHERE local_date BETWEEN %(from)s AND %(to)s
              AND local_date NOT BETWEEN %(whole_first)s AND %(whole_last)s
              AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
            UNION ALL
            SELECT shop_id, code, 0, delta_milli
            FROM stock_month
            WHERE month > %(to_month)s AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
            UNION ALL
            SELECT shop_id, code, 0, delta_milli
            FROM stock_day
            WHERE local_date > %(to)s AND local_date <= %(to_month)s || '-99'
              AND (%(shop)s::text IS NULL OR shop_id = %(shop)s)
        ) m
        GROUP BY shop_id, code
    ) d ON d.shop_id = v.shop_id AND d.code = v.code
    WHERE (%(shop)s::text IS NULL OR v.shop_id = %(shop)s)
), other AS (
    SELECT shop_id, code, max(name) AS name,
           sum(delta_milli) FILTER (WHERE reason = 'delivery' AND local_date >= %(from)s
                                    AND local_date <= %(to)s)::bigint AS delivered,
           sum(delta_milli) FILTER (WHERE reason = 'count' AND local_date >= %(from)s
                                    AND local_date <= %(to)s)::bigint AS counted,
           sum(delta_milli) FILTER (WHERE reason = 'adjust' AND local_date >= %(from)s
                                    AND local_date <= %(to)s)::bigint AS adjusted,
           sum(delta_milli) FILTER (WHERE reason = 'transfer_in' AND local_date >= %(from)s
                                    AND local_date <= %(to)s)::bigint AS transfer_in,
           sum(delta_milli) FILTER (WHERE reason = 'transfer_out' AND local_date >= %(from)s
                                    AND local_date <= %(to)s)::bigint AS transfer_out,
           COALESCE(sum(delta_milli) FILTER (WHERE local_date <= %(to)s), 0)::bigint AS level,
           bool_or(local_date >= %(from)s) AS seen
    FROM stock_move
    WHERE (%(shop)s::text IS NULL OR shop_id = %(shop)s)
    GROUP BY shop_id, code
), joined AS (
    SELECT COALESCE(s.shop_id, o.shop_id) AS shop_id, COALESCE(s.code, o.code) AS code,
           COALESCE(s.name, o.name) AS name, COALESCE(s.moved, 0) AS sold,
           COALESCE(o.delivered, 0) AS delivered, COALESCE(o.counted, 0) AS counted,
           COALESCE(o.adjusted, 0) AS adjusted, COALESCE(o.transfer_in, 0) AS transfer_in,
           COALESCE(o.transfer_out, 0) AS transfer_out,
           COALESCE(s.level, 0) + COALESCE(o.level, 0) AS level,
           COALESCE(s.seen, false) OR COALESCE(o.seen, false) AS seen
    FROM sold s FULL JOIN other o ON o.shop_id = s.shop_id AND o.code = s.code
)
SELECT shop_id, code, name, sold AS sold_milli, delivered AS delivered_milli,
       counted AS counted_milli, adjusted AS adjusted_milli, transfer_in AS transfer_in_milli,
       transfer_out AS transfer_out_milli,
       sold + delivered + counted + adjusted + transfer_in + transfer_out AS moved_milli,
       level AS level_milli, level < 0 AS negative
FROM joined
WHERE seen OR level <> 0
ORDER BY shop_id, code
"""


def _months_0013(first: date, last: date) -> dict[str, str]:
    start = first if first.day == 1 else _next_month(first)
    after = _next_month(last)
    end = last if after - timedelta(days=1) == last else last.replace(day=1) - timedelta(days=1)
    whole = start <= end
    return {
        "whole_from": start.isoformat()[:7] if whole else "9999-99",
        "whole_to": end.isoformat()[:7] if whole else "0000-00",
        "whole_first": start.isoformat() if whole else "9999-99-99",
        "whole_last": end.isoformat() if whole else "0000-00-00",
        "to_month": last.isoformat()[:7],
    }


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
