"""The peer detector for bench_pii.py: Microsoft Presidio's structured analyzer.

Runs inside its own virtualenv (``var/peer-venv``, made by ``scripts/peer_venv.sh``) because
Presidio pins spaCy and its own dependencies. Presidio's NER recognizers need a spaCy model,
and the official models are published on GitHub, not PyPI; with no model installable
offline, Presidio runs on a blank English spaCy pipeline: its pattern recognizers (e-mail,
phone, IBAN, credit card, IP, URL, dates, national ids of several countries) work, its
name, location and NRP detection (which needs the NER model) does not.

Reads a manifest of CSV files, prints JSON: per column the categories Presidio found,
mapped onto our vocabulary.
"""

from __future__ import annotations

import json
import sys
import warnings

import pandas as pd
import spacy
import tldextract
import tldextract.tldextract
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngine, NlpEngineProvider, SpacyNlpEngine
from presidio_structured import PandasAnalysisBuilder

warnings.filterwarnings("ignore")

# Presidio's e-mail recognizer asks tldextract, which would fetch the public suffix list
# from the network; the snapshot bundled with tldextract is used instead.
tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())

#: Presidio entity -> our category ("nrp" is nationality, religious or political group).
ENTITY_CATEGORIES = {
    "PERSON": "person_name",
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "IBAN_CODE": "iban",
    "CREDIT_CARD": "payment_card",
    "IP_ADDRESS": "ip_address",
    "DATE_TIME": "date_of_birth",
    "LOCATION": "postal_address",
    "NRP": "nrp",
    "MEDICAL_LICENSE": "national_id",
    "US_SSN": "national_id",
    "US_PASSPORT": "national_id",
    "US_DRIVER_LICENSE": "national_id",
    "US_ITIN": "national_id",
    "UK_NHS": "national_id",
    "UK_NINO": "national_id",
    "ES_NIF": "national_id",
    "ES_NIE": "national_id",
    "IT_FISCAL_CODE": "national_id",
    "IT_IDENTITY_CARD": "national_id",
    "IT_PASSPORT": "national_id",
    "IT_DRIVER_LICENSE": "national_id",
    "PL_PESEL": "national_id",
    "FI_PERSONAL_IDENTITY_CODE": "national_id",
    "IN_AADHAAR": "national_id",
    "IN_PAN": "national_id",
    "SG_NRIC_FIN": "national_id",
    "AU_TFN": "national_id",
    "AU_MEDICARE": "national_id",
}


class BlankSpacyEngine(SpacyNlpEngine):
    """A spaCy engine without a trained model: tokens, no named entities."""

    def __init__(self) -> None:
        super().__init__(models=[{"lang_code": "en", "model_name": "blank"}])

    def load(self) -> None:
        self.nlp = {"en": spacy.blank("en")}


def engine() -> tuple[AnalyzerEngine, str]:
    try:
        spacy.load("en_core_web_sm")
    except OSError:
        nlp: NlpEngine = BlankSpacyEngine()
        nlp.load()
        label = "Presidio structured (pattern recognizers only: no spaCy model installs offline)"
    else:
        nlp = NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": "en", "model_name": "en_core_web_sm"}],
            }
        ).create_engine()
        label = "Presidio structured with en_core_web_sm"
    return AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"]), label


def main(manifest_path: str) -> None:
    analyzer, label = engine()
    builder = PandasAnalysisBuilder(analyzer=analyzer)
    out = []
    with open(manifest_path) as fh:
        manifest = json.load(fh)
    for item in manifest:
        frame = pd.read_csv(item["path"], dtype=str, keep_default_na=False)
        for column in frame.columns:
            single = frame[[column]].replace("", None).dropna()
            categories: set[str] = set()
            if len(single):
                try:
                    analysis = builder.generate_analysis(
                        single.head(200), n=min(200, len(single)), language="en"
                    )
                    entity = analysis.entity_mapping.get(column)
                except ValueError:
                    entity = None
                if entity in ENTITY_CATEGORIES:
                    categories.add(ENTITY_CATEGORIES[entity])
            out.append({"table": item["table"], "column": column, "categories": sorted(categories)})
    print(json.dumps({"engine": label, "columns": out}))


if __name__ == "__main__":
    main(sys.argv[1])
