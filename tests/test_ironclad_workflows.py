"""Workflows through the typed client against the sandbox: validation, listing, lifecycle, records, PDF."""

from __future__ import annotations

import io
import uuid
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from playbook_store.templates import load_templates
from sandbox.ironclad import IroncladSandbox
from tests.fixtures.ironclad import ORDER_FORM_TEMPLATE_ID, client_for, order_form_attributes
from tools.ironclad import (
    IroncladClient,
    IroncladInvalidStateError,
    IroncladNotFoundError,
    IroncladValidationError,
)


def test_missing_required_attribute_names_it(ironclad_client: IroncladClient) -> None:
    attributes = order_form_attributes()
    del attributes["totalValue"]
    with pytest.raises(IroncladValidationError) as err:
        ironclad_client.launch_workflow(ORDER_FORM_TEMPLATE_ID, attributes)
    assert (err.value.status, err.value.code, err.value.param) == (400, "MISSING_PARAM", "attributes.totalValue")
    assert err.value.request_id


@pytest.mark.parametrize("attribute, bad_value", [
    ("totalValue", "120000"),
    ("totalValue", {"currency": "usd", "amount": 5}),
    ("effectiveDate", "31/01/2027"),
    ("subscriptionTerm", {"months": -1}),
    ("seats", "many"),
    ("autoRenew", "yes"),
    ("paymentTerms", "Net 90"),
    ("counterpartySignerEmail", "not-an-email"),
    ("billingAddress", {"lines": ["1 Main St"], "country": "US"}),
])
def test_mistyped_attribute_is_rejected_naming_it(ironclad_client: IroncladClient, attribute: str,
                                                  bad_value: Any) -> None:
    with pytest.raises(IroncladValidationError) as err:
        ironclad_client.launch_workflow(ORDER_FORM_TEMPLATE_ID, order_form_attributes(**{attribute: bad_value}))
    assert (err.value.code, err.value.param) == ("INVALID_PARAM", f"attributes.{attribute}")


def test_unknown_template_and_workflow_are_not_found(ironclad_client: IroncladClient) -> None:
    with pytest.raises(IroncladNotFoundError):
        ironclad_client.launch_workflow("ffffffffffffffffffffffff", order_form_attributes())
    with pytest.raises(IroncladNotFoundError):
        ironclad_client.get_workflow("IC-999999")


def test_list_filters_and_pages(ironclad_client: IroncladClient) -> None:
    tag = uuid.uuid4().hex[:8]
    launched = [ironclad_client.launch_workflow(ORDER_FORM_TEMPLATE_ID,
                                                order_form_attributes(counterpartyName=f"Tag {tag}",
                                                                      seats=n, contractloopKey=f"{tag}-{n}"))
                for n in range(5)]
    one = ironclad_client.list_workflows(filter=f"Equals([contractloopKey], '{tag}-3')")
    assert [w.id for w in one.items] == [launched[3].id]
    combined = f"And(Equals([counterpartyName], 'Tag {tag}'), GreaterThanOrEqual([seats], 2))"
    page0 = ironclad_client.list_workflows(filter=combined, page=0, page_size=2)
    assert page0.count == 3 and len(page0.items) == 2
    assert {w.id for w in ironclad_client.iter_workflows(filter=combined, page_size=2)} == \
        {w.id for w in launched[2:]}
    ironclad_client.cancel_workflow(launched[0].id, "testing status filters")
    active = {w.id for w in ironclad_client.iter_workflows(filter=f"Equals([counterpartyName], 'Tag {tag}')")}
    assert launched[0].id not in active
    cancelled = ironclad_client.list_workflows(status="cancelled", filter=f"Equals([counterpartyName], 'Tag {tag}')")
    assert [w.id for w in cancelled.items] == [launched[0].id]
    with pytest.raises(IroncladValidationError) as err:
        ironclad_client.list_workflows(filter="Equals([seats], 3")
    assert err.value.param == "filter"


def test_review_step_rules(ironclad_client: IroncladClient) -> None:
    workflow = ironclad_client.launch_workflow(ORDER_FORM_TEMPLATE_ID, order_form_attributes())
    updated = ironclad_client.update_attributes(workflow.id, set={"seats": 300}, comment="more seats")
    assert updated.attributes["seats"] == 300
    with pytest.raises(IroncladValidationError) as err:
        ironclad_client.update_attributes(workflow.id, set={"seats": "lots"})
    assert err.value.param == "updates[0].value"

    approvals = ironclad_client.get_approvals(workflow.id)
    assert [g.status for g in approvals.approval_groups] == ["active", "pending"]
    assert approvals.next_role() == "legal"
    with pytest.raises(IroncladInvalidStateError, match="out of order"):
        ironclad_client.set_approval(workflow.id, "finance")
    with pytest.raises(IroncladValidationError, match="does not exist"):
        ironclad_client.set_approval(workflow.id, "ceo")

    with pytest.raises(IroncladValidationError, match="comment"):
        ironclad_client._request("POST", f"/workflows/{workflow.id}/pause", json={})
    ironclad_client.pause_workflow(workflow.id, "waiting on the customer")
    assert ironclad_client.get_workflow(workflow.id).status == "paused"
    with pytest.raises(IroncladInvalidStateError):
        ironclad_client.update_attributes(workflow.id, set={"seats": 1})
    ironclad_client.resume_workflow(workflow.id, "customer is back")

    assert ironclad_client.set_approval(workflow.id, "legal") is True
    assert ironclad_client.set_approval(workflow.id, "finance") is True
    signing = ironclad_client.get_workflow(workflow.id)
    assert (signing.step, signing.approvals and signing.approvals["state"]) == ("Sign", "completed")
    with pytest.raises(IroncladInvalidStateError):
        ironclad_client.update_attributes(workflow.id, set={"seats": 1})
    with pytest.raises(IroncladInvalidStateError):
        ironclad_client.pause_workflow(workflow.id, "too late")


def test_async_launch_and_async_validation_failure(ironclad_client: IroncladClient) -> None:
    job = ironclad_client.launch_workflow_async(ORDER_FORM_TEMPLATE_ID, order_form_attributes())
    assert ironclad_client.get_async_job(job.async_job_id).status == "in_progress"
    workflow = ironclad_client.wait_for_async_launch(job.async_job_id, timeout=5)
    assert ironclad_client.get_workflow(workflow.id).ironclad_id == workflow.ironclad_id

    bad = ironclad_client.launch_workflow_async(ORDER_FORM_TEMPLATE_ID, order_form_attributes(seats="x"))
    with pytest.raises(IroncladValidationError) as err:
        ironclad_client.wait_for_async_launch(bad.async_job_id, timeout=5)
    assert err.value.param == "attributes.seats"


def test_full_lifecycle_produces_record_and_signed_pdf(ironclad_sandbox: IroncladSandbox,
                                                       ironclad_client: IroncladClient) -> None:
    workflow = ironclad_client.launch_workflow(ORDER_FORM_TEMPLATE_ID, order_form_attributes())
    completed = httpx.post(f"{ironclad_sandbox.base_url}/_sandbox/workflows/{workflow.id}/complete").json()
    assert (completed["status"], completed["step"]) == ("completed", "Complete")

    finished = ironclad_client.get_workflow(workflow.id)
    record = ironclad_client.get_record(finished.record_ids[0])
    assert record.workflow_id == workflow.id
    assert record.value("counterpartyName") == "Globex Corporation"
    assert record.value("contractValue") == {"currency": "USD", "amount": 120000}
    assert record.properties["contractValue"].type == "monetary_amount"
    assert record.value("expirationDate").startswith("2028-01-31")
    assert record.value("subscriptionTerm") == "P12M"
    assert record.value("counterpartySigner") == "Hank Scorpio"

    pdf = ironclad_client.download_signed_copy(record.id)
    assert pdf.startswith(b"%PDF")
    text = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    for expected in ("Globex Corporation", "January 31, 2027", "USD 120,000.00", "12 months", "250 seats",
                     "Net 45", "NEGOTIATED SPECIAL TERMS", "terminate for convenience on ninety days",
                     "Hank Scorpio", "1 Globex Way, Cypress Creek, OR 97001, US", finished.ironclad_id):
        assert expected in text, expected

    listed = ironclad_client.list_records(filter="Equals([counterpartyName], 'Globex Corporation')")
    assert record.id in {r.id for r in listed.items}
    metadata = ironclad_client.records_metadata()
    assert metadata["properties"]["contractValue"]["type"] == "monetary_amount"
    assert metadata["attachments"]["signedCopy"]["displayName"] == "Signed PDF"


def test_records_create_patch_delete(ironclad_client: IroncladClient) -> None:
    created = ironclad_client.create_record("contract", "Legacy paper contract", {
        "counterpartyName": {"type": "string", "value": "Initech"},
        "agreementDate": {"type": "date", "value": "2024-01-31T00:00:00-07:00"}})
    assert created.ironclad_id and created.value("counterpartyName") == "Initech"
    patched = ironclad_client.update_record(created.id, add_properties={
        "contractValue": {"type": "monetary_amount", "value": {"currency": "EUR", "amount": 5000}}},
        remove_properties=["agreementDate"])
    assert patched.value("contractValue")["currency"] == "EUR" and patched.value("agreementDate") is None
    with pytest.raises(IroncladValidationError) as err:
        ironclad_client.create_record("contract", "Bad", {"agreementDate": {"type": "date", "value": "soon"}})
    assert err.value.param == "properties.agreementDate.value"
    ironclad_client.delete_record(created.id)
    with pytest.raises(IroncladNotFoundError):
        ironclad_client.get_record(created.id)


def _sample(spec: Any) -> Any:
    return {"string": "Sample text", "number": 3, "monetaryAmount": {"currency": "USD", "amount": 1000.5},
            "date": "2027-03-01", "duration": {"years": 1}, "email": "someone@example.com", "boolean": False,
            "select": (spec.options or [""])[0],
            "address": {"lines": ["1 Main St"], "locality": "Springfield", "region": "IL", "postcode": "62701",
                        "country": "US"}}[spec.type]


def test_every_playbook_template_launches_and_completes(make_ironclad_sandbox: Any) -> None:
    """The real playbook templates, served as schemas, run end to end with values built from their schema."""
    from playbook_store.templates import TEMPLATES_DIR

    sandbox = make_ironclad_sandbox(templates_dir=TEMPLATES_DIR)
    with client_for(sandbox) as client:
        schemas = {s.id: s for s in client.list_schemas()}
        assert set(schemas) == {t.id for t in load_templates().values()}
        for template in load_templates().values():
            attributes = {k: _sample(spec) for k, spec in template.attributes.items()}
            workflow = client.launch_workflow(template.id, attributes)
            httpx.post(f"{sandbox.base_url}/_sandbox/workflows/{workflow.id}/complete").raise_for_status()
            record = client.get_record(client.get_workflow(workflow.id).record_ids[0])
            assert client.download_signed_copy(record.id).startswith(b"%PDF")


def test_client_from_settings_and_persistent_state(make_ironclad_sandbox: Any, tmp_path: Any) -> None:
    from core.settings import Settings

    db = tmp_path / "ironclad.sqlite"
    first = make_ironclad_sandbox(db_path=db)
    settings = Settings(ironclad_base_url=f"{first.base_url}/public/api/v1", ironclad_client_id=first.client_id,
                        ironclad_client_secret=first.client_secret, ironclad_user_email=first.user_email)
    with IroncladClient.from_settings(settings) as client:
        workflow = client.launch_workflow(ORDER_FORM_TEMPLATE_ID, order_form_attributes())
    first.stop()

    again = make_ironclad_sandbox(db_path=db, client_id=first.client_id, client_secret=first.client_secret)
    with client_for(again) as client:
        assert client.get_workflow(workflow.ironclad_id).id == workflow.id
        assert client.launch_workflow(ORDER_FORM_TEMPLATE_ID, order_form_attributes()).ironclad_id != \
            workflow.ironclad_id
    with pytest.raises(ValueError, match="IRONCLAD_CLIENT_ID"):
        IroncladClient.from_settings(Settings(ironclad_client_id=None, ironclad_client_secret=None,
                                              ironclad_user_email=None))
