"""The reviewer: inbound paper on an Opportunity scored against the playbook's positions (issue 12)."""
