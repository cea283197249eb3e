"""Register a model trained on real public data with the Python client; read what it inherits.

Run `make run`, then: .venv/bin/python docs/examples/register_model.py [http://127.0.0.1:8000]
Running it again registers nothing new and prints the same lines: registration is idempotent.
"""
import sys, pandas as pd, xgboost as xgb
from aigov_client import Client

CSV = "docs/examples/us_presidents.csv"
df = pd.read_csv(CSV, parse_dates=["birth_date", "took_office"])
x = pd.DataFrame({"age": (df.took_office - df.birth_date).dt.days / 365.25,
                  "year": df.took_office.dt.year})
clf = xgb.XGBClassifier(n_estimators=20, max_depth=2).fit(x, df.party == "Republican")

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
client = Client.login(url, "scientist", "scientist-demo-2026")
mv = client.register_model(system="Term-length study", model="party-xgb", version="1.0.0",
                           estimator=clf, training_data=CSV, dataset="US presidents",
                           column_roles={"party": "target"}, intended_purpose="Research demo")
print("PII:", client.dataset_version(mv.trained_on[0]).pii())
print("artefact:", mv.artefact.format, mv.artefact.sha256)
print("inherited personal data:", mv.personal_data["categories"])
print("lineage:", client.lineage(mv)["edges"])
