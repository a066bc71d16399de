"""`python -m services`: run the whole platform in the foreground (see services/launcher.py)."""

import sys
import warnings

# the token book's read model uses native locks through eventlet's patcher: not worth a warning here
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

from services.launcher import main  # noqa: E402

sys.exit(main())
