"""Backup and restore of the record: every service's event store, copied while the platform runs.

- `catalog`: which stores are backed up (one line per service) and how their read models rebuild;
- `facts`: what a store holds, summed up so a copy can be checked against it (head, chains, seals);
- `manifest`: the signed manifest a backup folder carries;
- `take`: a backup of the SQLite stores with SQLite's online backup API (or a MongoDB manifest);
- `restore`: an all-or-nothing restore into an empty data folder that proves itself first;
- `check`: a store checked against its manifest entry (also a MongoDB store after mongorestore);
- `mongo`: that check over every service's MongoDB database;
- `folders`: empty targets, staging folders, moving into place;
- `cli`: `python -m services backup|restore|verify-backup`.
"""
