"""``aigov``: the registry from a shell or a CI job.

Exit codes: 0 success (for ``gate``: the deploy may go ahead), 1 a negative answer (``gate``
closed, a waited-for check that did not pass or a report that failed), 2 an error (network,
authentication, not found, bad input).
"""

from __future__ import annotations

import functools
import json
import os
import socket
import sys
from pathlib import Path
from typing import Annotated, Any

try:
    import typer
except ImportError:  # pragma: no cover - exercised only without the extra
    sys.stderr.write('The aigov command needs typer: pip install "ai-governance-client[cli]"\n')
    raise SystemExit(2) from None

from aigov_client import config
from aigov_client.client import Client
from aigov_client.errors import ApiError, ClientError, ConfigurationError, Unauthorized
from aigov_client.resources import CheckRun, Report

EXIT_OK, EXIT_NO, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    help="Register models and data, run checks and gate deployments in the AI governance registry.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
check_app = typer.Typer(help="Run and inspect checks of model versions.", no_args_is_help=True)
report_app = typer.Typer(help="Generate and download reports.", no_args_is_help=True)
app.add_typer(check_app, name="check")
app.add_typer(report_app, name="report")
mlflow_app = typer.Typer(help="Import model versions from MLflow.", no_args_is_help=True)
app.add_typer(mlflow_app, name="mlflow")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


class _State:
    url: str | None = None
    token: str | None = None


state = _State()


@app.callback()
def _main(
    url: Annotated[
        str | None, typer.Option("--url", help=f"Server URL (default ${config.ENV_URL} or config).")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", help=f"API token (default ${config.ENV_TOKEN} or config)."),
    ] = None,
) -> None:
    state.url = url
    state.token = token


def _client() -> Client:
    client = Client(state.url, state.token)
    if not client.token:
        raise ConfigurationError(
            f"Not logged in: run `aigov login`, or set {config.ENV_TOKEN} (and {config.ENV_URL})."
        )
    return client


def _emit(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_ERROR)


def handles_errors(func):
    """Turn the client's exceptions into a one-line message and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except Unauthorized as exc:
            typer.echo(f"error: {exc}", err=True)
            typer.echo(f"hint: run `aigov login`, or check {config.ENV_TOKEN}.", err=True)
            raise typer.Exit(EXIT_ERROR) from None
        except ApiError as exc:
            typer.echo(f"error: {exc}", err=True)
            for reason in exc.details.get("reasons") or []:
                typer.echo(f"{reason.get('code')}: {reason.get('message')}", err=True)
            raise typer.Exit(EXIT_ERROR) from None
        except (ClientError, OSError, ValueError, TypeError) as exc:
            _fail(str(exc))

    return wrapper


def _json_arg(value: str | None, what: str) -> dict[str, Any]:
    """A JSON object given inline or as @file."""
    if not value:
        return {}
    text = Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{what} must be a JSON object")
    return data


# --- authentication -------------------------------------------------------------------------
@app.command()
@handles_errors
def login(
    url: Annotated[
        str | None, typer.Option(help="Server URL, e.g. https://gov.example.org")
    ] = None,
    username: Annotated[str | None, typer.Option(help="Your user name.")] = None,
    password: Annotated[
        str | None, typer.Option(help="Your password (asked for if not given).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="A name for the token.")] = None,
    expires_in_days: Annotated[
        int, typer.Option(help="Days until the token expires; 0 for never.")
    ] = 90,
    as_json: JsonOpt = False,
) -> None:
    """Get an API token with your user name and password and store it in the config file."""
    stored = config.load_file()
    url = url or state.url or os.environ.get(config.ENV_URL) or stored.url
    if not url:
        url = typer.prompt("Server URL", default="http://127.0.0.1:8000")
    username = username or typer.prompt("Username", default=stored.username or None)
    password = password or typer.prompt("Password", hide_input=True)
    token_name = name or f"aigov CLI on {socket.gethostname()}"[:100]
    client = Client.login(
        url, username, password, token_name=token_name, expires_in_days=expires_in_days or None
    )
    me = client.whoami()
    path = config.save_file(
        config.Settings(
            url=client.url, token=client.token, token_id=client.token_id, username=me.username
        )
    )
    if as_json:
        _emit(
            {
                "url": client.url,
                "username": me.username,
                "role": me.role,
                "token_id": client.token_id,
                "config": str(path),
            }
        )
    else:
        typer.echo(f"Logged in to {client.url} as {me.username} ({me.role}).")
        typer.echo(f"Token stored in {path} (readable by you only).")
    if os.environ.get(config.ENV_TOKEN):
        typer.echo(
            f"Note: {config.ENV_TOKEN} is set and takes precedence over the stored token.", err=True
        )


@app.command()
@handles_errors
def logout(as_json: JsonOpt = False) -> None:
    """Revoke the stored token on the server and remove it from the config file."""
    stored = config.load_file()
    if not stored.token:
        if as_json:
            _emit({"revoked": False, "logged_in": False})
        else:
            typer.echo("Not logged in.")
        return
    revoked = False
    try:
        client = Client(state.url or stored.url, stored.token)
        client.token_id = stored.token_id
        client.revoke_token()
        revoked = True
    except Unauthorized:
        pass  # already expired or revoked: forgetting it locally is all that is left to do
    config.forget_token()
    if as_json:
        _emit({"revoked": revoked, "logged_in": False})
    else:
        typer.echo(
            "Token revoked and removed."
            if revoked
            else "Token removed (it had expired or was revoked already)."
        )


@app.command()
@handles_errors
def whoami(as_json: JsonOpt = False) -> None:
    """Show the user and server the current token belongs to."""
    client = _client()
    me = client.whoami()
    if as_json:
        _emit({**me.raw, "url": client.url})
        return
    typer.echo(f"{me.username} ({me.role}) on {client.url}")
    typer.echo(f"teams: {', '.join(me.teams) or '-'}")


# --- registration ---------------------------------------------------------------------------
@app.command()
@handles_errors
def register(
    artefact: Annotated[
        Path,
        typer.Argument(
            help="The model file (skops, XGBoost JSON, LightGBM text, ONNX).",
            exists=True,
            dir_okay=False,
        ),
    ],
    system: Annotated[str, typer.Option(help="AI system name (created if missing) or id.")],
    model: Annotated[str, typer.Option(help="Model name within the system (created if missing).")],
    version: Annotated[str, typer.Option(help="Version label, e.g. 1.4.0.")],
    trained_on: Annotated[
        list[int] | None, typer.Option("--trained-on", help="Dataset version id (repeatable).")
    ] = None,
    validated_on: Annotated[
        list[int] | None, typer.Option("--validated-on", help="Dataset version id.")
    ] = None,
    tested_on: Annotated[
        list[int] | None, typer.Option("--tested-on", help="Dataset version id.")
    ] = None,
    derived_from: Annotated[
        list[int] | None, typer.Option("--derived-from", help="Model version id.")
    ] = None,
    fine_tuned_from: Annotated[
        list[int] | None, typer.Option("--fine-tuned-from", help="Model version id.")
    ] = None,
    description: Annotated[str, typer.Option(help="What changed in this version.")] = "",
    hyperparameters: Annotated[str | None, typer.Option(help="JSON object, or @file.json.")] = None,
    metrics: Annotated[
        str | None, typer.Option(help="Declared metrics: JSON object or @file.")
    ] = None,
    code_commit: Annotated[
        str | None, typer.Option(help="Commit the model was trained from (default: git HEAD).")
    ] = None,
    environment_lock: Annotated[
        Path | None,
        typer.Option(help="Lock file to record (default: the installed packages).", exists=True),
    ] = None,
    team: Annotated[str | None, typer.Option(help="Team slug, if you belong to several.")] = None,
    task: Annotated[str | None, typer.Option(help="Model task, for a new model.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a model version from an artefact file (idempotent per label)."""
    client = _client()
    links: list[dict[str, Any]] = []
    for kind, ids, node in (
        ("trained_on", trained_on, "dataset_version"),
        ("validated_on", validated_on, "dataset_version"),
        ("tested_on", tested_on, "dataset_version"),
        ("derived_from", derived_from, "model_version"),
        ("fine_tuned_from", fine_tuned_from, "model_version"),
    ):
        links += [{"kind": kind, node: i} for i in ids or []]
    mv = client.register_model(
        system=system,
        model=model,
        version=version,
        artefact=artefact,
        description=description,
        hyperparameters=_json_arg(hyperparameters, "--hyperparameters"),
        metrics=_json_arg(metrics, "--metrics"),
        code_commit=code_commit,
        environment_lock=environment_lock.read_text(encoding="utf-8") if environment_lock else None,
        lineage=links,
        team=team,
        task=task,
    )
    if as_json:
        _emit(mv.raw)
        return
    typer.echo(
        f"model version {mv.id}: {mv.raw.get('model_name', mv.model)} {mv.version} ({mv.status})"
    )
    typer.echo(f"artefact: {mv.artefact.format} {mv.artefact.sha256}")


@mlflow_app.command("import")
@handles_errors
def mlflow_import(
    model: Annotated[int, typer.Argument(help="Id of the model to import into.")],
    registered_model: Annotated[str, typer.Argument(help="MLflow registered model name.")],
    version: Annotated[int, typer.Argument(help="MLflow version number.")],
    label: Annotated[
        str | None, typer.Option("--label", help="Our version label (default: the number).")
    ] = None,
    wait: Annotated[
        float, typer.Option("--wait", help="Seconds to wait for the artefact's verification.")
    ] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Import an MLflow model version (artefact, params, metrics, datasets, commit,
    environment). Running it again prints the version imported before."""
    mv = _client().import_from_mlflow(model, registered_model, version, label=label, wait=wait)
    if as_json:
        _emit(mv.raw)
        return
    typer.echo(
        f"model version {mv.id}: {mv.raw.get('model_name', mv.model)} {mv.version} ({mv.status})"
    )
    typer.echo(
        f"artefact: {mv.artefact.verification} {mv.artefact.format or '?'} "
        f"{mv.artefact.sha256 or ''}".rstrip()
    )
    if mv.artefact.verification == "failed":
        _fail(mv.artefact.verification_error)


@mlflow_app.command("follow")
@handles_errors
def mlflow_follow(
    model: Annotated[int, typer.Argument(help="Id of the model to import into.")],
    registered_model: Annotated[str, typer.Argument(help="MLflow registered model name.")],
) -> None:
    """Import new versions of an MLflow registered model periodically."""
    link = _client().follow_mlflow_model(model, registered_model)
    typer.echo(f"model {link['model']} follows MLflow model {link['registered_model']!r}")


@app.command("upload-data")
@handles_errors
def upload_data(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet file.", exists=True, dir_okay=False)],
    dataset: Annotated[str, typer.Option(help="Dataset name (created if missing) or id.")],
    version: Annotated[
        str | None, typer.Option(help="Version label (default: from the content's SHA-256).")
    ] = None,
    role: Annotated[
        list[str] | None,
        typer.Option("--role", help="COLUMN=ROLE, e.g. default=target (repeatable)."),
    ] = None,
    sensitive: Annotated[
        list[str] | None,
        typer.Option("--sensitive", help="Protected attribute column (repeatable)."),
    ] = None,
    description: Annotated[str, typer.Option()] = "",
    team: Annotated[str | None, typer.Option(help="Team slug, if you belong to several.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a dataset version from a file (reuses one with the same content)."""
    client = _client()
    roles: dict[str, str] = {}
    for item in role or []:
        column, sep, value = item.rpartition("=")
        if not sep or not column:
            raise ValueError(f"--role expects COLUMN=ROLE, got {item!r}")
        roles[column] = value
    dv = client.upload_dataset_version(
        int(dataset) if dataset.isdigit() else dataset,
        file,
        version=version,
        description=description,
        column_roles=roles,
        sensitive_columns=sensitive,
        team=team,
    )
    if as_json:
        _emit(dv.raw)
        return
    typer.echo(f"dataset version {dv.id}: {dv.raw.get('dataset_name', dv.dataset)} {dv.version}")
    typer.echo(
        f"sha256: {dv.sha256}  rows: {dv.raw.get('row_count')}  profile: {dv.profile_status}"
    )
    for column, categories in dv.pii().items():
        if categories:
            typer.echo(f"personal data? {column}: {', '.join(categories)}")


# --- checks ---------------------------------------------------------------------------------
def _check_lines(run: CheckRun) -> list[str]:
    verdict = {True: "passed", False: "did not pass", None: "no verdict"}[run.passed]
    lines = [f"check {run.id} ({run.kind}): {run.status}, {verdict}"]
    if run.raw.get("error_message"):
        lines.append(f"error: {run.raw.get('error_code')}: {run.raw['error_message']}")
    lines += [f"finding [{f['severity']}] {f['code']}: {f['message']}" for f in run.findings]
    return lines


def _check_exit(run: CheckRun) -> int:
    return EXIT_OK if run.status == "succeeded" and run.passed is not False else EXIT_NO


@check_app.command("run")
@handles_errors
def check_run(
    version_id: Annotated[int, typer.Argument(help="Model version id.")],
    kind: Annotated[
        str, typer.Option(help="fairness, explainability, data_quality, performance or drift.")
    ],
    dataset: Annotated[int, typer.Option("--dataset", help="Dataset version id to check on.")],
    reference: Annotated[int | None, typer.Option(help="Baseline dataset version (drift).")] = None,
    sensitive: Annotated[list[str] | None, typer.Option("--sensitive")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the result.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait at most.")] = 1800.0,
    as_json: JsonOpt = False,
) -> None:
    """Run a check; with --wait, exit 0 if it passed and 1 if it did not."""
    client = _client()
    run = client.run_check(
        version_id, kind, dataset, reference_dataset_version=reference, sensitive_columns=sensitive
    )
    if wait and not run.done:
        if as_json or not sys.stderr.isatty():
            run = client.wait_for_check(run, timeout=timeout)
        else:
            with typer.progressbar(
                length=100, label=f"{kind} check {run.id}", file=sys.stderr
            ) as bar:
                shown = [0]

                def progress(current: CheckRun) -> None:
                    step = int(current.progress * 100) - shown[0]
                    if step > 0:
                        bar.update(step)
                        shown[0] += step
                    bar.label = (
                        f"{kind} check {run.id}: {current.progress_message or current.status}"
                    )

                run = client.wait_for_check(run, timeout=timeout, on_progress=progress)
    if as_json:
        _emit(run.raw)
    else:
        typer.echo(
            "\n".join(_check_lines(run))
            if run.done
            else f"check {run.id} ({run.kind}) {run.status}; see `aigov check show {run.id}`"
        )
    if wait:
        raise typer.Exit(_check_exit(run))


@check_app.command("show")
@handles_errors
def check_show(check_id: Annotated[int, typer.Argument()], as_json: JsonOpt = False) -> None:
    """Show a check run with its findings."""
    run = _client().check(check_id)
    if as_json:
        _emit(run.raw)
    else:
        typer.echo("\n".join(_check_lines(run)))


# --- review and gate ------------------------------------------------------------------------
@app.command()
@handles_errors
def submit(version_id: Annotated[int, typer.Argument()], as_json: JsonOpt = False) -> None:
    """Submit a model version for review."""
    review = _client().submit(version_id)
    if as_json:
        _emit(review)
    else:
        typer.echo(
            f"model version {version_id} submitted: review {review['id']} round "
            f"{review['round']}, tier {review['tier']}"
        )


@app.command()
@handles_errors
def gate(
    version_id: Annotated[int, typer.Argument(help="Model version id.")],
    environment: Annotated[str, typer.Option(help="dev, test or prod.")] = "prod",
    as_json: JsonOpt = False,
) -> None:
    """May the version be deployed? Exit 0 open, 1 closed (reasons one per line), 2 error."""
    verdict = _client().gate(version_id, environment)  # type: ignore[arg-type]
    if as_json:
        _emit(verdict.raw)
    elif verdict.allowed:
        typer.echo(
            f"open: model version {version_id} may run in {environment} (tier {verdict.tier})"
        )
    else:
        typer.echo(
            f"closed: model version {version_id} may not run in {environment} (tier {verdict.tier})"
        )
        for reason in verdict.reasons:
            typer.echo(f"{reason.code}: {reason.message}")
    raise typer.Exit(EXIT_OK if verdict.allowed else EXIT_NO)


# --- reports --------------------------------------------------------------------------------
@report_app.command("generate")
@handles_errors
def report_generate(
    version_id: Annotated[
        int | None, typer.Argument(help="Model version id (omit for an inventory).")
    ] = None,
    kind: Annotated[str, typer.Option(help="model_card, annex_iv or inventory.")] = "model_card",
    wait: Annotated[bool, typer.Option("--wait", help="Wait until it is rendered.")] = False,
    output: Annotated[
        Path | None, typer.Option(help="Download the PDF here (implies --wait).")
    ] = None,
    timeout: Annotated[float, typer.Option()] = 600.0,
    as_json: JsonOpt = False,
) -> None:
    """Queue a report; optionally wait for it and download the PDF."""
    client = _client()
    report = client.generate_report(kind, model_version=version_id)
    if wait or output:
        report = client.wait_for_report(report, timeout=timeout)
    saved = None
    if output and report.status == "succeeded":
        saved = client.download_report(report, output)
    if as_json:
        _emit({**report.raw, "saved_to": str(saved) if saved else None})
    else:
        typer.echo(f"report {report.id} ({report.kind}): {report.status}")
        if report.raw.get("error_message"):
            typer.echo(f"error: {report.raw['error_message']}")
        if saved:
            typer.echo(f"saved to {saved} (sha256 {report.sha256})")
    if (wait or output) and report.status != "succeeded":
        raise typer.Exit(EXIT_NO)


@report_app.command("download")
@handles_errors
def report_download(
    report_id: Annotated[int, typer.Argument()],
    output: Annotated[Path | None, typer.Option(help="File to write.")] = None,
    evidence_pack: Annotated[
        bool, typer.Option("--evidence-pack", help="The zip with snapshot and manifest.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Download a rendered report (PDF) or its evidence pack."""
    client = _client()
    report: Report = client.report(report_id)
    target = output or Path(f"report-{report_id}.{'zip' if evidence_pack else 'pdf'}")
    saved = client.download_report(report, target, evidence_pack=evidence_pack)
    if as_json:
        _emit({"report": report_id, "saved_to": str(saved), "sha256": report.sha256})
    else:
        typer.echo(f"saved to {saved}")


def main() -> None:
    app(prog_name="aigov")


if __name__ == "__main__":
    main()
