"""A backfill over signed copies that are hostile (zero bytes, compression bombs, entity bombs) finishes: each is
an `unreadable_pdf` failure with its reason in the report, and Salesforce holds its insight marked for review.

Run with two reading worker processes, so the isolated document reader also works from inside the backfill's
own worker processes. Real HTTP to both sandboxes.
"""

from __future__ import annotations

import random
from pathlib import Path

from backfill.checkpoint import Checkpoint
from backfill.job import BackfillOptions, run_backfill
from core.settings import Settings
from sandbox.salesforce.deals import DealSpec, LineSpec, create_deal
from sandbox.stack import SandboxStack
from tests.fixtures.backfill import _complete, msa_attributes, msa_template
from tests.support import hostile_documents as hostile
from tools.ironclad import IroncladClient
from tools.salesforce import SalesforceClient

MiB = 1024 * 1024
HOSTILE = {"zero-byte": (b"", "empty"),
           "flate-bomb": (hostile.pdf_flate_bomb(256 * MiB), "too_large"),
           "zip-bomb": (hostile.docx_zip_bomb(128 * MiB), "too_large"),
           "laughs": (hostile.docx_billion_laughs(), "unsafe")}


def test_a_backfill_over_hostile_signed_copies_flags_each_and_finishes(tmp_path: Path) -> None:
    with SandboxStack(tmp_path / "sandbox", opportunities=5, seed=3, sf_port=None, ironclad_port=None,
                      fresh=True) as stack:
        settings = Settings(_env_file=None, contractloop_data_dir=tmp_path / "data",  # type: ignore[call-arg]
                            **{k.lower(): v for k, v in stack.env().items()})
        ironclad = IroncladClient.from_settings(settings, backoff_base=0.01)
        rnd, template = random.Random(7), msa_template()
        expected: dict[str, str] = {}
        for name, (data, reason) in [*HOSTILE.items(), ("fine", (None, ""))]:
            opportunity = create_deal(stack.salesforce.store, DealSpec(
                account_name=f"Hostile Backfill {name}", region="NA",
                lines=[LineSpec(product_code="PLT-STD", quantity=3)]))
            record = _complete(stack, ironclad, template, msa_attributes(f"Hostile Backfill {name}", rnd,
                                                                         opportunity))
            if data is not None:
                stack.ironclad.services.store.put_file(record, "signedCopy", "signed.pdf", "application/pdf", data)
                expected[record] = reason
        sf = SalesforceClient.from_settings(settings)

        report = run_backfill(ironclad, sf, Checkpoint(tmp_path / "data" / "backfill.sqlite"),
                              BackfillOptions(batch_size=10, workers=2))
        ironclad.close()
        flagged = sf.query("SELECT External_Key__c, Needs_Review__c FROM Contract_Insight__c "
                           "WHERE External_Key__c LIKE 'ironclad-%'")

    assert report.complete and report.contracts == len(HOSTILE) + 1
    failures = {f.record_id: f for f in report.failures if f.kind == "unreadable_pdf"}
    assert set(failures) == set(expected)
    for record, reason in expected.items():
        assert failures[record].reason.startswith(f"{reason}: "), failures[record].reason
    by_record = {row["External_Key__c"].removeprefix("ironclad-"): row["Needs_Review__c"] for row in flagged}
    assert all(by_record[record] is True for record in expected)
