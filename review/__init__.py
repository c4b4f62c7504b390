"""Reading a counterparty's paper against the playbook: what each standard position finds in it, with evidence."""
