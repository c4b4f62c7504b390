"""The Q&A specialist: answers questions about executed contracts for the asker's eyes only, and keeps the
contract store that answers come from up to date on every sync."""
