"""The renewal eval: renewal schedules from the offline extractor's terms against the same rules applied to CUAD's
gold answers (`gold.py`), scored in `scoring.py`; `contractloop eval renewals` in `command.py`."""
