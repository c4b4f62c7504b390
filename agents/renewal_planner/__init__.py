"""The renewal planner (issue 11): when each executed contract next renews, and by when a party must give notice
to stop it. `schedule.py` is the calendar arithmetic, pure and typed; `review.py` says which schedules a person
checks before they are written, by the extractor's review policy."""
