"""The till's side of the head office (issue 15): pushing its journal, pulling the catalog."""
