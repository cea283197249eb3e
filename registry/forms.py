"""Forms of the registry's browser pages. They parse and validate input; the services (the
same ones the API calls) decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.kernel.web import Form
from registry.api.serializers import LABEL
from registry.models import PromptRole

EVALUATION_KINDS = (
    ("trained_on", _("Trained on (dataset versions)")),
    ("validated_on", _("Validated on (dataset versions)")),
    ("tested_on", _("Tested on (dataset versions)")),
)
LABEL_INVALID = _("Use letters, digits and . _ + - (at most 64).")


class DatasetVersionUploadForm(Form):
    version = forms.RegexField(
        LABEL,
        max_length=64,
        label=_("Version"),
        help_text=_("Unique within the dataset: letters, digits, . _ + -, e.g. 2024-06 or 3."),
        error_messages={"invalid": LABEL_INVALID},
    )
    file = forms.FileField(
        label=_("Data file"),
        allow_empty_file=True,
        help_text=_("CSV, TSV, Parquet, Excel or JSON lines; the format is read from the bytes."),
    )
    description = forms.CharField(
        required=False, label=_("Description"), widget=forms.Textarea(attrs={"rows": 2})
    )
    sheet = forms.CharField(
        required=False,
        max_length=255,
        label=_("Sheet"),
        help_text=_("Excel only: the worksheet (the first one if empty)."),
    )


class ModelVersionUploadForm(Form):
    version = forms.RegexField(
        LABEL,
        max_length=64,
        label=_("Version"),
        help_text=_("Unique within the model, e.g. 1.4.0."),
        error_messages={"invalid": LABEL_INVALID},
    )
    artefact = forms.FileField(
        label=_("Model artefact"),
        allow_empty_file=True,
        help_text=_(
            "The saved model; pickle-family files are recorded as unsafe and never loaded."
        ),
    )
    description = forms.CharField(
        required=False, label=_("Description"), widget=forms.Textarea(attrs={"rows": 2})
    )
    code_commit = forms.RegexField(
        r"^[0-9a-fA-F]{7,64}\Z",
        required=False,
        label=_("Code commit"),
        error_messages={"invalid": _("A git commit hash: 7 to 64 hexadecimal characters.")},
    )

    def __init__(self, *args, dataset_versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(dv.pk), f"{dv.dataset.name} v{dv.version}") for dv in dataset_versions]
        for kind, label in EVALUATION_KINDS:
            self.fields[kind] = forms.MultipleChoiceField(
                choices=choices,
                required=False,
                label=label,
                help_text=_("Ctrl-click (Cmd-click on a Mac) to pick several.")
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
    name = forms.CharField(
        max_length=200, label=_("Name"), help_text=_("Unique within the model, e.g. system.")
    )
    # The roles' labels are translated here, for the page; the stored value is the key.
    role = forms.ChoiceField(
        label=_("Role"), choices=[(value, _(label)) for value, label in PromptRole.choices]
    )
    text = forms.CharField(
        strip=False,
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )
    note = forms.CharField(required=False, max_length=2000, label=_("Why (note)"))

    def clean_text(self) -> str:
        return _browser_text(self.cleaned_data["text"])


class PromptVersionForm(Form):
    text = forms.CharField(
        strip=False,
        label=_("Text of the new version"),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )
    note = forms.CharField(required=False, max_length=2000, label=_("What changed and why (note)"))

    def clean_text(self) -> str:
        return _browser_text(self.cleaned_data["text"])


class PromptBindForm(Form):
    model_version = forms.TypedChoiceField(coerce=int, label=_("Model version"))
    prompt_version = forms.TypedChoiceField(coerce=int, label=_("Runs with prompt version"))

    def __init__(self, *args, model_versions=(), prompt_versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model_version"].choices = [
            (mv.pk, f"{mv.version} ({gettext(mv.get_status_display())})") for mv in model_versions
        ]
        self.fields["prompt_version"].choices = [
            (pv.pk, gettext("version %(number)s") % {"number": pv.number}) for pv in prompt_versions
        ]
