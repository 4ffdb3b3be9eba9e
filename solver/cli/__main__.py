"""`python -m solver.cli`: the same as the `cpsolve` console script."""

import sys

from solver.cli import main

sys.exit(main())
