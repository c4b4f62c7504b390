"""Local Salesforce emulator: schema, SQLite-backed org store, SOQL engine, seed data (HTTP layer in app.py)."""
