"""Personal data kept from external models: detected, replaced by reversible tokens, restored in the answers."""
