"""Per-candidate features and scores: heuristics (cluster size, CodeT) and a learned scorer."""
