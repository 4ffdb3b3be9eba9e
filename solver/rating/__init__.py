"""Rating estimators: pure functions over contest results.

- `codeforces`: the Codeforces rating update of a whole contest, as Codeforces
  computes it (Mike Mirzayanov's published algorithm, blog entry 20762), with the
  first-contest rule of the era the data comes from.
- `performance`: CodeElo's per-contest performance rating (the rating at which the
  expected rank equals the actual rank) and its mean over contests.
- `likelihood`: a maximum-likelihood rating over several contests from the pairwise
  results against the participants' ratings (o1-ioi's estimate).
- `readers`: the Codeforces API's `contest.ratingChanges` / `contest.standings` JSON
  and a documented CSV, turned into the plain `Standing` rows the estimators read.

Every estimate carries the name of its estimator (`ESTIMATORS`), so no report prints
a rating without saying how it was made.
"""

from __future__ import annotations

# The estimator names every printed rating carries.
ESTIMATORS = ("codeforces", "codeelo", "mle")
