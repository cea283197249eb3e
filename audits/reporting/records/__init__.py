"""PDFs of single AI Act records: the incident report, the FRIA, the declaration of
conformity and the EU database registration data."""
