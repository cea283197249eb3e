"""Forms of the registry's browser pages. They parse and validate input; the services (the
same ones the API calls) decide."""

from __future__ import annotations

from django import forms

from governance.kernel.web import Form
from registry.api.serializers import LABEL
from registry.models import PromptRole

EVALUATION_KINDS = (
    ("trained_on", "Trained on"),
    ("validated_on", "Validated on"),
    ("tested_on", "Tested on"),
)


class DatasetVersionUploadForm(Form):
    version = forms.RegexField(
        LABEL,
        max_length=64,
        help_text="Unique within the dataset: letters, digits, . _ + -, e.g. 2024-06 or 3.",
        error_messages={"invalid": "Use letters, digits and . _ + - (at most 64)."},
    )
    file = forms.FileField(
        label="Data file",
        allow_empty_file=True,
        help_text="CSV, TSV, Parquet, Excel or JSON lines; the format is read from the bytes.",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    sheet = forms.CharField(
        required=False,
        max_length=255,
        help_text="Excel only: the worksheet (the first one if empty).",
    )


class ModelVersionUploadForm(Form):
    version = forms.RegexField(
        LABEL,
        max_length=64,
        help_text="Unique within the model, e.g. 1.4.0.",
        error_messages={"invalid": "Use letters, digits and . _ + - (at most 64)."},
    )
    artefact = forms.FileField(
        label="Model artefact",
        allow_empty_file=True,
        help_text="The saved model; pickle-family files are recorded as unsafe and never loaded.",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    code_commit = forms.RegexField(
        r"^[0-9a-fA-F]{7,64}\Z",
        required=False,
        label="Code commit",
        error_messages={"invalid": "A git commit hash: 7 to 64 hexadecimal characters."},
    )

    def __init__(self, *args, dataset_versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(dv.pk), f"{dv.dataset.name} v{dv.version}") for dv in dataset_versions]
        for kind, label in EVALUATION_KINDS:
            self.fields[kind] = forms.MultipleChoiceField(
                choices=choices,
                required=False,
                label=f"{label} (dataset versions)",
                help_text="Ctrl-click (Cmd-click on a Mac) to pick several."
                if kind == "trained_on"
                else "",
                widget=forms.SelectMultiple(attrs={"size": min(6, max(2, len(choices)))}),
            )

    def lineage(self) -> list[tuple[str, int]]:
        return [
            (kind, int(pk))
            for kind, _ in EVALUATION_KINDS
            for pk in self.cleaned_data.get(kind, [])
        ]


def _browser_text(text: str) -> str:
    """Browsers send a textarea's lines ending in CR LF; prompts are stored with LF, so
    that the diff shows what really changed and the same text is recognised as such."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class PromptTemplateForm(Form):
    name = forms.CharField(max_length=200, help_text="Unique within the model, e.g. system.")
    role = forms.ChoiceField(choices=PromptRole.choices)
    text = forms.CharField(
        strip=False, widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"})
    )
    note = forms.CharField(required=False, max_length=2000, label="Why (note)")

    def clean_text(self) -> str:
        return _browser_text(self.cleaned_data["text"])


class PromptVersionForm(Form):
    text = forms.CharField(
        strip=False,
        label="Text of the new version",
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )
    note = forms.CharField(required=False, max_length=2000, label="What changed and why (note)")

    def clean_text(self) -> str:
        return _browser_text(self.cleaned_data["text"])


class PromptBindForm(Form):
    model_version = forms.TypedChoiceField(coerce=int, label="Model version")
    prompt_version = forms.TypedChoiceField(coerce=int, label="Runs with prompt version")

    def __init__(self, *args, model_versions=(), prompt_versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model_version"].choices = [
            (mv.pk, f"{mv.version} ({mv.get_status_display().lower()})") for mv in model_versions
        ]
        self.fields["prompt_version"].choices = [
            (pv.pk, f"version {pv.number}") for pv in prompt_versions
        ]
