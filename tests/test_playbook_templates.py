"""The approved contract templates: loadable, consistent, and grammatical whatever the attribute values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from playbook_store.templates import TEMPLATES_DIR, load_templates

CORRELATION_ATTRIBUTES = ("contractloopKey", "negotiatedClauses", "salesforceOpportunityId")


def test_all_four_templates_load_with_unique_ids() -> None:
    templates = load_templates()
    assert set(templates) == {"msa", "order_form", "nda", "dpa"}
    assert len({t.id for t in templates.values()}) == 4


@pytest.mark.parametrize("key", ["msa", "order_form", "nda", "dpa"])
def test_every_template_carries_correlation_attributes_never_required(key: str) -> None:
    template = load_templates()[key]
    for attribute_id in CORRELATION_ATTRIBUTES:
        assert template.attributes[attribute_id].type == "string"
        assert template.attributes[attribute_id].required == "never"
    assert "{{negotiatedClauses}}" in template.body


@pytest.mark.parametrize("key", ["msa", "order_form", "nda", "dpa"])
def test_attribute_ids_are_camel_case_of_their_labels(key: str) -> None:
    for attribute_id, attribute in load_templates()[key].attributes.items():
        words = re.sub(r"[^A-Za-z0-9 ]", "", attribute.display_name).split()
        camel = words[0].lower() + "".join(w if w.isupper() else w.capitalize() for w in words[1:])
        assert attribute_id.lower() == camel.lower(), (attribute_id, attribute.display_name)


def test_governing_law_options_are_the_same_everywhere() -> None:
    templates = load_templates()
    option_sets = {
        key: tuple(t.attributes["governingLaw"].options or [])
        for key, t in templates.items()
        if "governingLaw" in t.attributes
    }
    assert len(set(option_sets.values())) == 1, option_sets


@pytest.mark.parametrize("key", ["msa", "nda", "dpa"])
def test_governing_law_reads_grammatically_for_every_jurisdiction(key: str) -> None:
    template = load_templates()[key]
    for jurisdiction in template.attributes["governingLaw"].options or []:
        values = {"governingLaw": jurisdiction, "autoRenewal": True, "renewalTermMonths": 12, "renewalNoticeDays": 30}
        phrase = template.derive_phrases(values)["governingLawPhrase"]
        assert jurisdiction.split()[-1] in phrase
        # "the State of" only for US states (and NSW), never "the State of England and Wales".
        if jurisdiction in {"England and Wales", "Ireland", "Germany", "Netherlands", "Singapore", "Ontario"}:
            assert "State of" not in phrase


def test_renewal_provision_follows_the_auto_renewal_flag() -> None:
    msa = load_templates()["msa"]
    renewing = msa.derive_phrases(
        {"governingLaw": "New York", "autoRenewal": True, "renewalTermMonths": 12.0, "renewalNoticeDays": 60}
    )["renewalProvision"]
    assert "successive periods of 12 months" in renewing
    assert "at least 60 days before" in renewing
    fixed = msa.derive_phrases({"governingLaw": "New York", "autoRenewal": False})["renewalProvision"]
    assert "expire at the end of the Initial Term" in fixed


def test_derive_phrases_rejects_an_unknown_jurisdiction() -> None:
    with pytest.raises(ValueError, match="Atlantis"):
        load_templates()["nda"].derive_phrases({"governingLaw": "Atlantis"})


def _copy_with(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load((TEMPLATES_DIR / "msa.yaml").read_text())
    mutate(data)
    (tmp_path / "msa.yaml").write_text(yaml.safe_dump(data))
    return tmp_path


def test_body_placeholder_without_attribute_fails_loudly(tmp_path: Path) -> None:
    directory = _copy_with(tmp_path, lambda d: d.__setitem__("body", d["body"] + "{{noSuchAttribute}}"))
    with pytest.raises(ValueError, match="noSuchAttribute"):
        load_templates(directory)


def test_phrase_missing_a_select_option_fails_loudly(tmp_path: Path) -> None:
    directory = _copy_with(tmp_path, lambda d: d["phrases"]["governingLawPhrase"]["values"].pop("Ireland"))
    with pytest.raises(ValueError, match="governingLawPhrase"):
        load_templates(directory)
