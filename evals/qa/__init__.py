"""`contractloop eval qa`: contract Q&A on CUAD contracts and natural questions that name a counterparty."""
