"""Register a system, a dataset version and a model version trained on it; read the lineage.

Run `make run`, then: .venv/bin/python docs/examples/register_model.py [http://127.0.0.1:8000]
"""
import io, sys, requests, pandas as pd, xgboost as xgb

API = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000") + "/api/v1"
login = {"username": "scientist", "password": "scientist-demo-2026"}
token = requests.post(f"{API}/auth/token/", json=login).json()["token"]
s = requests.Session()
s.headers["Authorization"] = f"Bearer {token}"
team = s.get(f"{API}/me/").json()["teams"][0]

system = s.post(f"{API}/systems/", json={"team": team, "name": "Term-length study",
                "intended_purpose": "Research demo"}).json()
dataset = s.post(f"{API}/datasets/", json={"team": team, "name": "US presidents"}).json()
csv = open("docs/examples/us_presidents.csv", "rb").read()
dv = s.post(f"{API}/datasets/{dataset['id']}/versions/", data={"version": "1",
            "column_roles": '{"party": "target"}'}, files={"file": ("presidents.csv", csv)}).json()
print("PII:", {c["name"]: [f["category"] for f in c["pii_flags"]] for c in dv["columns"]})

df = pd.read_csv(io.BytesIO(csv), parse_dates=["birth_date", "took_office"])
x = pd.DataFrame({"age": (df.took_office - df.birth_date).dt.days / 365.25,
                  "year": df.took_office.dt.year})
clf = xgb.XGBClassifier(n_estimators=20, max_depth=2).fit(x, df.party == "Republican")
model = s.post(f"{API}/models/", json={"system": system["id"], "name": "party-xgb"}).json()
mv = s.post(f"{API}/models/{model['id']}/versions/", data={"version": "1.0.0",
            "lineage": f'[{{"kind": "trained_on", "dataset_version": {dv["id"]}}}]'},
            files={"artefact": ("model.json", bytes(clf.get_booster().save_raw("json")))}).json()
print("artefact:", mv["artefact"]["format"], mv["artefact"]["sha256"])
detail = s.get(f"{API}/model-versions/{mv['id']}/").json()
print("inherited personal data:", detail["personal_data"]["categories"])
print("lineage:", s.get(f"{API}/model-versions/{mv['id']}/lineage/").json()["edges"])
