"""`make bench`: Jesr measured at 10,000, 100,000 and 1,000,000 households (see bench/run.py)."""
