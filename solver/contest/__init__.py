"""Contest simulation: scoring rules (IOI, Codeforces, ICPC), the n@k estimator,
contest files and standings, and the simulation that ties them to solved problems."""
