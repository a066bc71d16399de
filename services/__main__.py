"""`python -m services`: run the whole platform in the foreground (see services/launcher.py);
`python -m services backup|restore|verify-backup …`: the record's backups (services/backup/cli.py)."""

import sys
import warnings

# the kernel imports eventlet's patcher for its native locks: not worth a warning on a command line
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

BACKUP_COMMANDS = ("backup", "restore", "verify-backup")

if sys.argv[1:2] and sys.argv[1] in BACKUP_COMMANDS:
    from services.backup.cli import main as backups

    sys.exit(backups(sys.argv[1:]))

from services.launcher import main  # noqa: E402 - the backup commands never load the launcher

sys.exit(main())
