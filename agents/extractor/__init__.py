"""The extractor specialist: fetch an executed contract, read it (offline engine or a model), plan the CRM writes
with their review policy. The reading itself is the `extraction` library."""
