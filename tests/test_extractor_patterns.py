"""The offline engine on short, synthetic contract passages: one standard way of writing each term per case.

Every case checks the value a user would see and that its citation quotes the passage verbatim.
"""

from __future__ import annotations

from datetime import date

import pytest

from core.contract_terms import Cited
from extraction import ContractTerms, OfflineExtractor
from tools.documents import Document

PREAMBLE = ('This Supply Agreement (the "Agreement") is made and entered into as of March 3, 2015 by and between '
            'Acme Widgets, Inc., a Delaware corporation ("Supplier"), and Beta Retail LLC ("Buyer").\n\n')


def _extract(text: str) -> ContractTerms:
    return OfflineExtractor().extract(Document.from_text(text))


def _cited(text: str, cited: Cited | None, must_quote: str) -> object:  # type: ignore[type-arg]
    assert cited is not None, f"nothing extracted; wanted a quote containing {must_quote!r}"
    quote = cited.citation.quote
    assert text[cited.citation.start:cited.citation.end] == quote
    assert must_quote in quote and len(quote.split()) >= 3
    return cited.value


@pytest.mark.parametrize(("clause", "expected", "quoted"), [
    ("12. Governing Law\n\nThis Agreement shall be governed by, and construed in accordance with, the laws of the "
     "Federal Republic of Germany.", "Germany", "Federal Republic of Germany"),
    ("GOVERNING LAW. THIS AGREEMENT SHALL BE GOVERNED BY THE SUBSTANTIVE LAWS OF THE STATE OF TEXAS, U.S.A.",
     "Texas", "STATE OF TEXAS"),
    ("This Agreement and its interpretation shall be governed by the laws of the United States and, to the extent "
     "not inconsistent therewith, by the laws of the Commonwealth of Kentucky.", "Kentucky", "Commonwealth of Kentucky"),
    ("Any arbitration shall be subject to the application of Italian law and take place in Paris, France.",
     "Italy", "Italian law"),
    ("This Agreement shall be governed by the internal laws, and not by the laws regarding conflicts of laws, of "
     "the State of North Carolina.", "North Carolina", "North Carolina"),
    ("This Agreement  shall  be  governed  and  construed in accordance with the  laws  of  the  United  States of "
     "America.", "United States", "United  States"),
    ("Distributor shall comply with all laws and regulations governing the export of Products and obtain all U.S. "
     "permits. The validity, interpretation and performance of this Agreement shall be "
     "controlled by and construed under the laws of the State of Oregon.", "Oregon", "State of Oregon"),
    ("25. Law. This Agreement will be interpreted and construed exclusively under the laws of the State of Texas.\n\n"
     "ADDENDUM FOR ILLINOIS\n\nChoice of law. Except to the extent governed by the Lanham Act, Illinois law will apply "
     "to Illinois franchisees.", "Texas", "laws of the State of Texas"),
])
def test_governing_law_phrasings(clause: str, expected: str, quoted: str):
    text = PREAMBLE + "1. Supply. Supplier shall supply the Products.\n\n" + clause + "\n"
    assert _cited(text, _extract(text).governing_law, quoted) == expected


def test_company_organised_under_other_laws_is_not_the_governing_law():
    text = ('This Agreement is made as of May 1, 2010 between Nord GmbH, a company organized under the laws of '
            'Germany ("Nord"), and Sud Inc. ("Sud").\n\n9. Governing Law. This Agreement shall be governed by the '
            'laws of the State of Delaware.\n')
    assert _cited(text, _extract(text).governing_law, "State of Delaware") == "Delaware"


def test_undated_preamble_takes_the_last_signature_date():
    text = ('This Services Agreement is between Orion Labs, Inc. ("Orion") and Vega Systems Ltd. ("Vega").\n\n'
            '1. Services. Orion shall provide the services.\n\n' + "Filler clause. " * 400 +
            '\n\nIN WITNESS WHEREOF the parties have signed this Agreement.\n\nOrion Labs, Inc.\nBy: /s/ A. Smith\n'
            'Date: August 07, 2018\n\nVega Systems Ltd.\nBy: /s/ B. Jones\nDate: August 08, 2018\n')
    terms = _extract(text)
    assert _cited(text, terms.agreement_date, "August 08, 2018") == date(2018, 8, 8)


def test_effective_date_as_the_later_signature():
    text = (PREAMBLE + '1. Term. The Effective Date of this Agreement shall be the later of the dates shown by the '
            'signatures below. This Agreement shall continue in effect for one (1) year.\n\n' + "Filler. " * 300 +
            '\n\nIN WITNESS WHEREOF the parties have executed this Agreement.\nBy: /s/ A\nDate: March 7, 2015\n'
            'By: /s/ B\nDate: March 14, 2015\n')
    terms = _extract(text)
    assert _cited(text, terms.effective_date, "March 14, 2015") == date(2015, 3, 14)
    assert terms.expiration_date.value == date(2016, 3, 14)


def test_term_commencing_on_a_stated_date_sets_the_effective_date():
    text = ('This Promotion Agreement dated March 12,1999, by and between Go Far, Inc. ("Go Far") and Big Shop Corp. '
            '("Big Shop").\n\n2. Term. This promotion shall begin on June 1,1999 and shall terminate June 1, 2000 '
            '(herein "Term").\n')
    terms = _extract(text)
    assert terms.agreement_date.value == date(1999, 3, 12)
    assert _cited(text, terms.effective_date, "June 1,1999") == date(1999, 6, 1)
    assert _cited(text, terms.expiration_date, "terminate June 1, 2000") == date(2000, 6, 1)


def test_term_starting_on_an_event_has_no_effective_date():
    text = ('CHANNEL AGREEMENT\n\nTHIS AGREEMENT is made between Chase Lane Bank ("Bank") and Web Co. LLC ("Affiliate").'
            '\n\n3. Term. The term of this Agreement will commence on the date that the Registration Form is '
            'approved by Bank and will end when terminated by either party.\n')
    terms = _extract(text)
    assert terms.effective_date is None
    assert _cited(text, terms.expiration_date, "end when terminated") == "perpetual"


def test_a_contract_that_is_only_dated_states_no_effective_date_but_its_term_runs_from_that_date():
    text = ('This Services Agreement, dated as of June 3, 2011, is between Orion Labs, Inc. ("Orion") and Vega '
            'Systems Ltd. ("Vega").\n\n4. Term. The term of this Agreement is three (3) years.\n')
    terms = _extract(text)
    assert terms.agreement_date.value == date(2011, 6, 3)
    assert terms.effective_date is None
    assert _cited(text, terms.expiration_date, "three (3) years") == date(2014, 6, 3)


@pytest.mark.parametrize("statement", [
    "This Agreement shall become effective as of the date first written above and shall continue for two (2) years.",
    "The Term shall commence on the date hereof and, unless terminated earlier, continue for two (2) years.",
    "This Agreement enters into force on the date of its signature by both parties and shall continue for two (2) "
    "years.",
])
def test_a_contract_effective_when_made_has_the_agreement_date_as_effective_date(statement: str):
    text = ('This Services Agreement, dated as of June 3, 2011, is between Orion Labs, Inc. ("Orion") and Vega '
            'Systems Ltd. ("Vega").\n\n4. Term. ' + statement + '\n')
    terms = _extract(text)
    assert _cited(text, terms.effective_date, "June 3, 2011") == date(2011, 6, 3)
    assert terms.expiration_date.value == date(2013, 6, 3)


def test_another_document_effective_on_signing_gives_this_contract_no_effective_date():
    text = ('This Alliance Agreement, dated as of May 5, 2019, is between Nord Foods LLC ("Nord") and Sud Trading '
            'Corp. ("Sud").\n\n2. Deliveries. The Warrant issued to Nord is effective as of the date hereof in '
            'accordance with its terms.\n')
    assert _extract(text).effective_date is None


@pytest.mark.parametrize(("clause", "quoted", "expected"), [
    ("2. TERM OF AGREEMENT. This Agreement shall be in full force and effect commencing on March 1, 2021 and shall "
     "remain in effect for one (1) year.", "March 1, 2021", date(2021, 3, 1)),
    ('1.4 "Contract Period" shall mean that period of time commencing on April 1, 2021 and concluding March 31, '
     '2024.', "April 1, 2021", date(2021, 4, 1)),
    ("The effective date of the License will be July 1, 2021.", "July 1, 2021", date(2021, 7, 1)),
])
def test_effective_date_stated_in_the_term_clause(clause: str, quoted: str, expected: date):
    text = ('This License Agreement, made this 12th day of February, 2021, is between Orion Labs, Inc. ("Orion") and '
            'Vega Systems Ltd. ("Vega").\n\n' + clause + '\n')
    assert _cited(text, _extract(text).effective_date, quoted) == expected


def test_a_contract_year_commencing_is_no_effective_date():
    text = ('This Supply Agreement, dated as of May 20, 2008, is between Nord Foods LLC ("Nord") and Sud Trading '
            'Corp. ("Sud").\n\n1.3 "Contract Year" means each twelve month period, so that the first Contract Year '
            'commences as of June 1, 2008.\n')
    assert _extract(text).effective_date is None


def test_date_glued_to_the_previous_word():
    text = ('DISTRIBUTOR AGREEMENT THIS DISTRIBUTOR AGREEMENT (this "Agreement") is made and effective as of1 August '
            '2019, by and between Gamma Foods LLC ("Company") and Delta Trading Corp. ("Distributor").\n')
    assert _cited(text, _extract(text).agreement_date, "1 August 2019") == date(2019, 8, 1)


@pytest.mark.parametrize(("clause", "expected", "quoted"), [
    ("This Agreement shall commence on the Effective Date and end on the fifth (5th) anniversary of the Effective "
     "Date, unless sooner terminated.", date(2020, 3, 3), "anniversary"),
    ('"Expiration Date" means March 31, 2020.', date(2020, 3, 31), "March 31, 2020"),
    ("The Agreement has an initial term of 5 years.", date(2020, 3, 3), "initial term of 5 years"),
    ("Unless earlier terminated, this Agreement shall remain in full force and effect until December 31, 2010.",
     date(2010, 12, 31), "until December 31, 2010"),
    ("Term: twelve (12) months from the date of the Agreement.", date(2016, 3, 3), "twelve (12) months"),
    ("This Agreement shall begin on the Effective Date and shall continue until the termination of the Alliance "
     "Agreement; provided that if an Election is made, this Agreement shall terminate 36 months after such Election.",
     "perpetual", "continue until the termination"),
])
def test_expiration_phrasings(clause: str, expected: object, quoted: str):
    text = PREAMBLE + "1. Definitions. Capitalised words have their defined meanings.\n\n2. " + clause + "\n"
    assert _cited(text, _extract(text).expiration_date, quoted) == expected


@pytest.mark.parametrize(("clause", "expected", "quoted"), [
    # A stated end date outranks the duration beside it; "as otherwise provided herein" is no proviso.
    ("Except as otherwise provided herein, this Agreement shall commence on April 1, 2016 and shall continue for a "
     "term of three (3) years expiring March 31, 2019.", date(2019, 3, 31), "expiring March 31, 2019"),
    ("This Agreement shall remain in effect until the later of (a) June 30, 2022 or (b) the date the parties sign "
     "the Commercial Supply Agreement.", date(2022, 6, 30), "June 30, 2022"),
    ("This Agreement shall continue in effect until the earlier of (a) the fifth (5t h) anniversary of this "
     "Agreement and (b) termination by either party.", date(2020, 3, 3), "anniversary of this"),
    ("The term of the Franchise shall be fifteen (15) years, commencing on January 1, 2016.", date(2031, 1, 1),
     "fifteen (15) years"),
    ("This Second Amendment shall be effective from the Amendment Effective Date and shall expire on December 31, "
     "2021.", date(2021, 12, 31), "December 31"),
    ("7) Term   The term of this Agreement is twelve (12) months from the date hereof.", date(2016, 3, 3),
     "twelve (12) months"),
    ("This Agreement enters into force on the date of its signature and remains in force for two (2) years.",
     date(2017, 3, 3), "two (2) years"),
    # A typed date whose comma became a full stop does not end the sentence.
    ("This Agreement shall be in effect until March 18. 2021, unless sooner terminated by either party.",
     date(2021, 3, 18), "until March 18. 2021"),
    # "At least" a year is a term, not a notice period.
    ("This Agreement shall remain in full force and effect for at least one (1) year from the Effective Date.",
     date(2016, 3, 3), "at least one (1) year"),
    # Execution is the agreement's own date, not some later event the term waits for.
    ("The term of this Agreement shall continue for a period of five years following the initial date of "
     "execution of this Agreement.", date(2020, 3, 3), "five years following"),
])
def test_expiration_stated_beside_other_words(clause: str, expected: date, quoted: str):
    text = PREAMBLE + clause + "\n"
    assert _cited(text, _extract(text).expiration_date, quoted) == expected


@pytest.mark.parametrize("clause", [
    "If any provision of this Agreement is held to be indefinite or unenforceable, the balance of this Agreement "
    "shall continue in full force and effect.",
    "Buyer's term of exclusivity for the Products shall expire on October 29, 2016.",
])
def test_sentences_that_do_not_state_the_contract_term(clause: str):
    text = PREAMBLE + "5. Miscellaneous. " + clause + "\n"
    assert _extract(text).expiration_date is None


@pytest.mark.parametrize(("section", "expected", "quoted"), [
    # A heading line that names renewal is no proviso of the sentence under it.
    ("4. TERM AND RENEWAL\n4.1 This Agreement commences on the Effective Date and shall continue for an initial "
     "term of 36 months (the \"Initial Term\"). Thereafter, it shall automatically renew for successive periods of "
     "12 months.", date(2018, 3, 3), "initial term of 36 months"),
    # SaaS order-form wording: the subscriptions run for the Subscription Term.
    ("4. SUBSCRIPTION TERM AND RENEWAL\n4.1 The subscriptions in this Order Form start on the Effective Date and "
     "shall continue for the Subscription Term of 12 months.", date(2016, 3, 3), "Subscription Term of 12 months"),
    # A numbered heading in sentence case still heads the section ("It" is the agreement).
    ("7.5   Term and termination\n\n      This contract replaces the earlier annex in full.\n\n      It shall be "
     "effective on 06 October 2016 and shall have a duration of two years.", date(2018, 10, 6), "duration of two"),
])
def test_term_sections_under_a_heading(section: str, expected: object, quoted: str):
    text = PREAMBLE + section + "\n"
    assert _cited(text, _extract(text).expiration_date, quoted) == expected


def test_other_defined_periods_do_not_set_the_term():
    text = (PREAMBLE + '1.5 "Calendar Quarter" means a period of three (3) consecutive months ending on June 30, 2015.'
            '\n\n7. Term. This Agreement shall continue in effect for a period of two (2) years.\n')
    terms = _extract(text)
    assert _cited(text, terms.expiration_date, "two (2) years") == date(2017, 3, 3)
    assert terms.renewal_term is None


@pytest.mark.parametrize(("clause", "renewal", "notice", "quoted"), [
    ("This Agreement continues in effect for an initial term of seven (7) years and will automatically renew for one "
     "or more annual periods unless either party gives notice of non-renewal at least one hundred eighty (180) days "
     "prior to the beginning of any Renewal Term.", "P1Y", "P180D", "annual periods"),
    ("The initial term shall be three (3) years and shall thereafter be automatically renewed for subsequent one "
     "(1) year periods unless either party notifies the other in writing at least one hundred twenty (120) days "
     "prior to the expiration of the then-current term.", "P1Y", "P120D", "subsequent one"),
    ("This Agreement will automatically be renewed for periods of twelve (12) months unless either Party gives six "
     "(6) months written notice of its intent to terminate this Agreement.", "P12M", "P6M", "twelve (12) months"),
    ("This Agreement shall automatically renew for successive one (I) year terms, unless a Party provides notice "
     "no later than ninety (90) days prior the end of the then-current term.", "P1Y", "P90D", "one (I) year"),
    ("This Agreement shall continue for one year and shall be automatically extended for consecutive periods of two "
     "(2) years unless either party notifies the other of its intention not to extend at least six months before the "
     "expiry.", "P2Y", "P6M", "two (2) years"),
    ("The Initial Term is three years. Upon expiry of the Initial Term, this Agreement shall be renewed for successive "
     "periods of one year, unless terminated by either party by written notice served not less than ninety days "
     "before the end of the then current period.", "P1Y", "P90D", "one year"),
    ("The Initial Term shall automatically be extended for an additional period of half a year unless either party "
     "gives written notice at least 60 days prior to the end of such period.", "P6M", "P60D", "half a year"),
    ("This contract shall be for a term of one year; thereafter, it shall automatically continue until terminated by "
     "either party upon not less than thirty (30) days prior written notice to the other party.", "perpetual", "P30D",
     "automatically continue until terminated"),
    ("After the Initial Term, this Agreement shall continue on a month to month basis until terminated by either party "
     "upon thirty (30) days prior written notice to the other.", "P1M", "P30D", "month to month"),
    ("This Agreement shall be subject to an automatic extension for consecutive one (1) year periods thereafter, "
     "unless terminated upon thirty (30) days' written notice by either Party to the other Party.", "P1Y", "P30D",
     "automatic extension"),
    ("This Agreement shall automatically continue following the Initial Term, for an additional period of three (3) "
     "years, unless a party provides written notice of termination at least sixty (60) days prior to the expiration "
     "of the Initial Term.", "P3Y", "P60D", "additional period of three (3)"),
    ("This Agreement shall automatically continue after the Initial Term for a further period of two (2) years unless "
     "either party gives written notice at least ninety (90) days prior to the expiration of the Initial Term (the "
     "\"Extension Period\").", "P2Y", "P90D", "further period of two (2) years"),
    ("Unless Buyer notifies Supplier of its decision not to renew this Agreement within forty-five (45) days following "
     "receipt of the Renewal Notice, this Agreement shall automatically renew for one additional two-year period.",
     "P2Y", "P45D", "within forty-five (45) days"),
    ("This Agreement takes effect on 1 January 2012. It is established by calendar year and renewed tacitly every "
     "year. Either party may cancel it before the expiry date of the Agreement or any of its renewals, upon two months "
     "prior written notice.", "P1Y", "P2M", "renewed tacitly every year"),
    ("The term of this Agreement shall commence on the Effective Date and shall remain in effect until terminated by "
     "either Party upon sixty (60) days' prior written notice.", "perpetual", "P60D", "remain in effect until"),
])
def test_renewal_and_notice_phrasings(clause: str, renewal: str, notice: str, quoted: str):
    text = PREAMBLE + "5. Term and Renewal. " + clause + "\n"
    terms = _extract(text)
    assert _cited(text, terms.renewal_term, quoted) == renewal
    assert _cited(text, terms.notice_period_to_terminate_renewal, quoted) == notice
    assert terms.auto_renewal is not None and terms.auto_renewal.value is True


def test_notice_in_a_separate_termination_clause():
    text = (PREAMBLE + "1. TERM\n\nThe term of this Agreement shall be five (5) years; provided the Initial Term "
            "shall be subject to automatic successive renewal terms of three (3) years each.\n\n1.1 Termination. "
            "This Agreement may be terminated as follows:\n\n1.1.1 By either party, upon written notice of "
            "termination no later than ninety (90) calendar days prior to the expiration of the relevant Term.\n")
    terms = _extract(text)
    assert terms.renewal_term.value == "P3Y"
    assert _cited(text, terms.notice_period_to_terminate_renewal, "ninety (90) calendar days") == "P90D"


def test_notice_continued_after_a_page_break():
    text = (PREAMBLE + "2. TERM\n\n2.1 Term. This Agreement shall be valid for a period of four (4) years with automatic "
            "renewal of one year thereafter until terminated\n\n-7-\n\n\n\n\n\nby either party with six (6) months written "
            "notice prior to the expiration of the initial period or any extension period.\n")
    terms = _extract(text)
    assert _cited(text, terms.renewal_term, "automatic renewal of one year") == "P1Y"
    assert _cited(text, terms.notice_period_to_terminate_renewal, "six (6) months written notice") == "P6M"


def test_a_renewal_notice_sent_before_expiry_is_not_the_notice_to_stop_renewal():
    text = (PREAMBLE + "3. Term. Supplier shall send Buyer a written renewal notice at least nine (9) months prior to "
            "the expiration of the Initial Term (the \"Renewal Notice\"). Unless Buyer notifies Supplier of its intent "
            "not to renew in writing within a period of two (2) months following the Renewal Notice, this Agreement "
            "shall automatically renew for one (1) twelve-month period.\n")
    terms = _extract(text)
    assert _cited(text, terms.notice_period_to_terminate_renewal, "two (2) months following") == "P2M"


@pytest.mark.parametrize("clause", [
    "After the Initial Term, the term may be extended by a further period of five (5) years by mutual written "
    "agreement of the parties. Distributor must notify Supplier at least six (6) months prior to the end of the term.",
    "The Term of this Agreement shall be extended for subsequent one year periods upon the mutual agreement of the "
    "parties.",
])
def test_extension_by_mutual_agreement_is_no_renewal(clause: str):
    terms = _extract(PREAMBLE + "4. Term. This Agreement shall continue for three (3) years. " + clause + "\n")
    assert terms.renewal_term is None and terms.notice_period_to_terminate_renewal is None


def test_a_redacted_renewal_length_still_gives_the_notice_that_stops_it():
    text = (PREAMBLE + "8. DURATION This Agreement shall have a duration of * years, extendable for a further * years, "
            "unless notice of non-renewal is sent six months before the natural expiry date.\n")
    terms = _extract(text)
    assert terms.renewal_term is None
    assert _cited(text, terms.notice_period_to_terminate_renewal, "six months before") == "P6M"
    assert _cited(text, terms.auto_renewal, "extendable for a further") is True


def test_a_term_that_lasts_until_terminated_under_an_article_is_no_renewal():
    terms = _extract(PREAMBLE + "18.1 Term. This Agreement shall become effective as of the Effective Date and shall "
                     "continue in full force and effect until terminated pursuant to this Article 18.\n")
    assert terms.renewal_term is None and terms.notice_period_to_terminate_renewal is None


def test_renewal_option_has_a_term_but_no_notice_to_stop_it():
    text = (PREAMBLE + "4. Term. This Agreement shall continue for three (3) years. Distributor shall have the option "
            "to renew this Agreement for an additional Three (3) year period by providing prior written notice "
            "within Ninety (90) days of the end of the initial period.\n")
    terms = _extract(text)
    assert _cited(text, terms.renewal_term, "option to renew") == "P3Y"
    assert terms.notice_period_to_terminate_renewal is None


@pytest.mark.parametrize(("clause", "quoted"), [
    ("NEITHER PARTY (WHICH FOR THIS SECTION INCLUDES ITS AFFILIATES) SHALL HAVE ANY LIABILITY TO THE OTHER FOR ANY "
     "PUNITIVE, SPECIAL, INCIDENTAL OR CONSEQUENTIAL DAMAGES.", "SHALL HAVE ANY LIABILITY"),
    ("The arbitrator shall not award any Party punitive, exemplary or consequential damages.", "shall not award"),
    ("Any and all claims arising out of this Agreement shall be barred, by express agreement of the parties, unless "
     "an action is commenced within two (2) years from the date the cause of action arose.", "barred"),
    ("EXCEPT FOR AMOUNTS PAYABLE UNDER SECTION 9, NEITHER PARTY WILL, UNDER ANY CIRCUMSTANCES, BE LIABLE TO THE OTHER "
     "FOR ANY LOST PROFITS OR ANY OTHER SPECIAL OR CONSEQUENTIAL DAMAGES.", "UNDER ANY CIRCUMSTANCES, BE LIABLE"),
    ("Neither the Company nor the Consultant shall be liable for any consequential loss, including loss of profit.",
     "Neither the Company nor the Consultant"),
    ("No action, case, suit or proceeding, regardless of form, arising out of this Agreement, may be brought by either "
     "party more than one (1) year after the cause of action has arisen.", "No action, case, suit"),
    ("In no event (including a default of the Licensor hereunder) shall the Licensor or its agents be liable to the "
     "Licensee for any amount in excess of the royalties actually received.", "In no event (including"),
    ("The Supplier's liability for indirect loss, including consequential loss, loss of profit and loss of data, is "
     "excluded.", "is excluded"),
    ("The Provider shall credit the fees for the affected month, but specifically excluding any and all "
     "consequential, punitive or other indirect damages.", "excluding any and all"),
    ("Notwithstanding this Section 7, the Underwriter shall not be required to contribute any amount in excess of "
     "the amount of any damages which the Underwriter has otherwise paid by reason of such untrue statement.",
     "not be required to contribute"),
    ("The Indemnifying Party's liability for all claims under this Agreement shall be subject to the following "
     "limitations: (i) no claim below USD 10,000 may be brought.", "subject to the following"),
])
def test_liability_limits_in_cuads_broad_sense(clause: str, quoted: str):
    text = PREAMBLE + "10. Remedies. " + clause + "\n"
    cap = _extract(text).liability_cap
    assert cap is not None and quoted in cap.citation.quote
    assert text[cap.citation.start:cap.citation.end] == cap.citation.quote


@pytest.mark.parametrize(("preamble", "written", "expires", "effective"), [
    # The preamble only dates the contract: it states no effective date of its own, yet its term runs from it.
    ('This License Agreement is made this ___ day of _________, 2004 by and between Acme Widgets, Inc. ("Licensor") '
     'and Beta Retail LLC ("Licensee").', "2004", "2014", None),
    ('This Supply Agreement is entered into as of February ____, 2017 (the "Effective Date") by and between Acme '
     'Widgets, Inc. and Beta Retail LLC.', "2017-02", "2027-02", "2017-02"),
])
def test_a_preamble_date_left_blank_is_reported_with_only_what_is_written(preamble: str, written: str,
                                                                          expires: str, effective: str | None) -> None:
    text = preamble + "\n\n1. Term. This Agreement shall commence on the Effective Date and continue for ten (10) years."
    terms = _extract(text)
    assert terms.agreement_date is None and terms.effective_date is None and terms.expiration_date is None
    assert _cited(text, terms.partial_agreement_date, written[:4]) == written
    if effective is None:
        assert terms.partial_effective_date is None
    else:
        assert _cited(text, terms.partial_effective_date, written[:4]) == effective
    assert _cited(text, terms.partial_expiration_date, "ten (10) years") == expires


def test_a_partly_blank_date_gives_no_expiry_when_months_cannot_be_counted() -> None:
    text = ('This Agreement is made this ___ day of ______, 2004 between Acme Widgets, Inc. and Beta Retail LLC.\n\n'
            '1. Term. This Agreement shall commence on the Effective Date and continue for six (6) months.')
    terms = _extract(text)
    assert terms.partial_agreement_date is not None and terms.partial_expiration_date is None
    assert terms.initial_term is not None and terms.initial_term.value == "P6M"


def test_renewal_of_the_same_duration_takes_the_initial_term():
    text = (PREAMBLE + "1. Term. The initial term of this Agreement shall be five (5) years from the date hereof. Upon "
            "the expiry of the Initial Term this Agreement shall automatically renew for successive terms of the same "
            "duration, unless either party gives written notice not less than ninety (90) days prior to the expiration.")
    terms = _extract(text)
    assert _cited(text, terms.renewal_term, "same duration") == "P5Y"
    assert _cited(text, terms.notice_period_to_terminate_renewal, "ninety (90) days") == "P90D"


def test_a_termination_right_in_the_next_sentence_is_no_notice_to_stop_renewal():
    text = (PREAMBLE + "This Agreement will be in effect for one year and will automatically renew for successive one (1) "
            "year periods unless terminated as provided below. B. TERMINATION. This Agreement may be canceled at any "
            "time without cause, by either party upon ninety (90) days written notice.")
    terms = _extract(text)
    assert terms.renewal_term is not None and terms.renewal_term.value == "P1Y"
    assert terms.notice_period_to_terminate_renewal is None


def test_a_signature_page_before_the_preamble_dates_the_contract_by_its_last_signature():
    text = ('DISTRIBUTION AGREEMENT\n\nAcme Widgets, Inc. ("Distributor") Beta Retail LLC ("Supplier") By: /s/ J. Doe '
            'By: /s/ R. Roe Title: VP Title: CFO\n\nDate: 1/19/07 Date: January 22, 2007\n\n'
            'This Agreement is made by and between Acme Widgets, Inc. and Beta Retail LLC.\n\n'
            '1. Term. This Agreement shall commence on the Effective Date and continue for a period of two (2) years.')
    terms = _extract(text)
    assert _cited(text, terms.agreement_date, "January 22, 2007") == date(2007, 1, 22)


@pytest.mark.parametrize(("preamble", "names"), [
    ('This Agreement is entered into by and between ExxonMobil Research and Engineering Company ("ExxonMobil") and '
     'FuelCell Energy, Inc. ("FCE").', ["ExxonMobil Research and Engineering Company", "FuelCell Energy, Inc."]),
    ('This Agreement is made between Acme Widgets Inc. and Beta Retail LLC ("Buyer").', ["Acme Widgets Inc.", "Beta Retail LLC"]),
])
def test_a_bare_and_splits_names_only_after_a_legal_form(preamble: str, names: list[str]):
    assert [p.name for p in _extract(preamble + "\n\nThe parties agree as follows.").parties] == names


def test_an_indemnity_that_reads_like_a_limit_is_no_cap_on_liability():
    # "in no event shall Buyer be responsible" matches the exclusion wording, but the clause finder sees an
    # indemnity, not a limitation of liability.
    text = (PREAMBLE + "1. Supply. Supplier shall supply the Products.\n\n8. Indemnity. Supplier shall indemnify Buyer "
            "against all claims, and in no event shall Buyer be responsible for the costs of defending such claims.\n")
    terms = _extract(text)
    assert terms.liability_cap is None
    assert next(c for c in terms.clauses if c.category == "Cap On Liability").present is False


def test_three_parties_listed_with_commas_after_their_defined_names():
    text = ('This Joint Marketing Agreement is entered into as of May 1, 2019 by and among Orion Labs, LLC, a Delaware '
            'limited liability company ("Orion"), Vega Systems, Inc., a Nevada corporation ("Vega"), and Dana Whitfield '
            '("Consultant").\n\n1. Marketing. The parties shall market the Products jointly.\n')
    names = [p.name for p in _extract(text).parties]
    assert names == ["Orion Labs, LLC", "Vega Systems, Inc.", "Dana Whitfield"]


@pytest.mark.parametrize("opening", [
    'This Amendment No. 3 (this "Amendment") to the Master Supply Agreement dated as of April 2, 2012 is entered into '
    'on September 15, 2018 by and between Orion Labs, Inc. ("Orion") and Vega Systems Ltd. ("Vega").',
    'Orion Labs, Inc. ("Orion") and Vega Systems Ltd. ("Vega"), pursuant to the Purchase Agreement, dated April 2, '
    '2012, enter into this Services Agreement on September 15, 2018.',
])
def test_the_date_of_an_agreement_referred_to_is_not_this_contracts_date(opening: str):
    text = opening + "\n\n1. Services. Orion shall provide the services.\n"
    assert _cited(text, _extract(text).agreement_date, "September 15, 2018") == date(2018, 9, 15)


def test_a_term_ending_at_the_earlier_of_listed_events():
    text = (PREAMBLE + "6.2 This Agreement shall remain in effect until the earlier of the following events occur:\n"
            "(a) the third (3rd) anniversary of this Agreement; and\n(b) the closing of a sale of Supplier.\n")
    assert _cited(text, _extract(text).expiration_date, "anniversary of this Agreement") == date(2018, 3, 3)


@pytest.mark.parametrize("clause", [
    "Neither the Agent nor the Sponsor shall be liable for any obligations of the Company resulting directly or "
    "indirectly from the Promotion.",
    "The provisions of Sections 1 (Definitions), 7 (Warranties) and 10 (Indemnification; Limitation of Liability) "
    "shall survive the expiration of this Agreement.",
])
def test_sentences_that_are_no_limit_of_liability(clause: str):
    text = PREAMBLE + "10. Miscellaneous. " + clause + "\n"
    assert _extract(text).liability_cap is None


def test_an_earlier_contract_made_effective_gives_this_one_no_effective_date():
    text = ('MAINTENANCE AGREEMENT\n\nThis Maintenance Agreement supplements the original Network PURCHASE & LICENSE '
            'CONTRACT, made effective on 06 April 2015, between Nord Telecom a.s. and Sud Systems Ltd.\n\n'
            '1. Maintenance. Sud Systems Ltd shall maintain the Network.\n')
    assert _extract(text).effective_date is None


@pytest.mark.parametrize("clause", [
    "Distributor shall have the option to renew this Agreement for an additional three (3) year period.",
    "The Agreement may be renewed for an additional period of seven (7) years at the option of the Licensor.",
    "At the expiration of the term, Franchisee may, at its option, renew this Agreement for 2 additional terms of "
    "10 years each.",
])
def test_a_party_s_option_to_renew_is_a_renewal_term_that_does_not_renew_by_itself(clause: str):
    terms = _extract(PREAMBLE + "4. Term. This Agreement shall continue for three (3) years. " + clause + "\n")
    assert terms.renewal_term is not None and terms.renewal_term.value in ("P3Y", "P7Y", "P10Y")
    assert terms.auto_renewal is None


@pytest.mark.parametrize("clause", [
    "During the Term and any renewal terms of the Agreement, and for a period of one (1) year following the "
    "expiration thereof, Customer agrees not to solicit any employee of the Company.",
    "Either party may terminate this Agreement upon ninety (90) days notice if the term of the Services Agreement "
    "has not been renewed for an additional term of one (1) year pursuant to its terms.",
])
def test_a_mention_of_renewal_that_states_no_renewal_of_this_contract_is_no_renewal_term(clause: str):
    terms = _extract(PREAMBLE + "4. Term. This Agreement shall continue for three (3) years. " + clause + "\n")
    assert terms.renewal_term is None


def test_a_labelled_term_line_of_a_cover_page_states_the_term() -> None:
    text = (PREAMBLE + "Services: advisory services as described below.\n"
            "Term: twelve (12) months from the date of the Agreement, unless terminated earlier under Section 8.\n"
            "Fees: USD 5,000 per month.\n")
    terms = _extract(text)
    assert _cited(text, terms.expiration_date, "Term: twelve (12) months") == date(2016, 3, 3)
    labelled = PREAMBLE + "Effective Date: October 1, 2005\nExpiration Date: August 31, 2006\n\n1. Services.\n"
    assert _extract(labelled).expiration_date.value == date(2006, 8, 31)  # type: ignore[union-attr]


def test_a_schedule_s_own_term_line_is_not_the_agreement_s_term() -> None:
    text = (PREAMBLE + "2. Term. This Agreement shall continue in effect until April 1, 2022.\n\n"
            "SCHEDULE A\nTerm: Three (3) years, provided however that the parties shall meet before the end of the "
            "term of this SCHEDULE.\n")
    assert _extract(text).expiration_date.value == date(2022, 4, 1)  # type: ignore[union-attr]
