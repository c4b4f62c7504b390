"""The reviewer's evaluation on ContractNLI: NDA hypotheses entailed, contradicted or not mentioned, with evidence."""
