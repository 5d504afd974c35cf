"""`make bench`: curate against a loopback link farm, lychee as the yardstick (README.md)."""
