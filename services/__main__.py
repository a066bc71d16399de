"""`python -m services`: run the whole platform in the foreground (see services/launcher.py)."""

import sys

from services.launcher import main

sys.exit(main())
