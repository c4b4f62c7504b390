"""Run tags shared by the model wrappers and the audit trail.

The PII wrapper calls the real model with TOKENISED_CALL_TAG on the run, so the audit trail records the
request as it left the process (tokenised) and never the wrapper's own run, which still holds raw text.
"""

TOKENISED_CALL_TAG = "contractloop:tokenised"
