"""Reorder proposals and purchase orders (issue 16's Reorder tab).

- `suppliers`: suppliers and each product's supplier, pack size and least order (master data);
- `suggest`: what to order per product of a supplier and why, from the forecast;
- `orders`: purchase orders a shift lead confirms, printed and written as CSV, and goods in
  booked against them. kassa never orders by itself: nothing here sends anything anywhere.
"""
