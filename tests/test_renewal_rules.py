"""The playbook's renewal rules: loaded and validated, campaign choice, forecast bands, and the likelihood
moving the way its stated reasons say."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from playbook_store.loader import PlaybookError, load_renewal_rules
from playbook_store.renewal_likelihood import RenewalSignals, renewal_likelihood


def test_the_shipped_rules_load_and_every_renewal_gets_a_sequence_and_a_category() -> None:
    rules = load_renewal_rules()
    assert rules.campaign_for("msa", Decimal("400000")) == "renewal-seq:enterprise-msa"
    assert rules.campaign_for("order_form", Decimal("20000")) == "renewal-seq:midmarket-order-form"
    # an unknown value is not the enterprise band
    assert rules.campaign_for("msa", None) == "renewal-seq:midmarket-order-form"
    assert rules.campaign_for("nda", Decimal("900000")) == "renewal-seq:nda-other"
    assert rules.forecast_category(0.9) == "Commit" and rules.forecast_category(0.0) == "Pipeline"


def test_signals_move_the_likelihood_and_each_one_is_a_reason() -> None:
    rules = load_renewal_rules()
    healthy = renewal_likelihood(RenewalSignals(auto_renews=True, usage_trend="Growing"), rules)
    troubled = renewal_likelihood(RenewalSignals(auto_renews=True, termination_for_convenience=True,
                                                 open_support_cases=7, usage_trend="Declining",
                                                 days_payment_late=45, notice_days=90), rules)
    manual = renewal_likelihood(RenewalSignals(auto_renews=False), rules)
    assert healthy.probability > manual.probability > troubled.probability
    assert healthy.forecast_category == "Commit" and troubled.forecast_category == "Pipeline"
    assert len(troubled.reasons) == 6
    assert any("7 open support cases" in r for r in troubled.reasons)
    assert any("45 days late" in r for r in troubled.reasons)


def test_a_bad_rules_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    shipped = (Path(__file__).resolve().parent.parent / "playbook_store" / "rules" / "renewal.yaml").read_text()
    catch_all = "  - {when: {}, campaign_key: \"renewal-seq:nda-other\"}\n"
    assert catch_all in shipped
    (tmp_path / "renewal.yaml").write_text(shipped.replace(catch_all, ""))
    with pytest.raises(PlaybookError, match="(?s)renewal.yaml.*last campaign rule"):
        load_renewal_rules(tmp_path)
