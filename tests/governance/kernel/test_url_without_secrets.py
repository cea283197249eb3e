"""What of a URL may be recorded: credentials out, everything else byte for byte."""

from __future__ import annotations

import importlib

import pytest

from governance.kernel.outbound import url_without_secrets

migration = importlib.import_module("registry.migrations.0010_fetch_credentials_kept_apart")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://b.s3.eu-west-1.amazonaws.com/m.onnx?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIA%2F1&X-Amz-Date=1&X-Amz-Expires=60&X-Amz-Security-Token=T"
            "&X-Amz-SignedHeaders=host&X-Amz-Signature=abc",
            "https://b.s3.eu-west-1.amazonaws.com/m.onnx?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=REDACTED&X-Amz-Date=1&X-Amz-Expires=60&X-Amz-Security-Token="
            "REDACTED&X-Amz-SignedHeaders=host&X-Amz-Signature=REDACTED",
        ),
        (
            "https://s3.amazonaws.com/b/k?AWSAccessKeyId=AK&Expires=9&Signature=x%2By",
            "https://s3.amazonaws.com/b/k?AWSAccessKeyId=REDACTED&Expires=9&Signature=REDACTED",
        ),
        (
            "https://storage.googleapis.com/b/o?X-Goog-Credential=c&X-Goog-Signature=s",
            "https://storage.googleapis.com/b/o?X-Goog-Credential=REDACTED&X-Goog-Signature=REDACTED",
        ),
        (
            "https://a.blob.core.windows.net/c/m.onnx?sv=2022-11-02&se=2026&sp=r&sig=Zz%3D",
            "https://a.blob.core.windows.net/c/m.onnx?sv=2022-11-02&se=2026&sp=r&sig=REDACTED",
        ),
        ("https://user:pw@host/m.onnx?token=t", "https://user:REDACTED@host/m.onnx?token=REDACTED"),
        ("https://user@host/m.onnx", "https://user@host/m.onnx"),
        ("s3://bucket/path/model.onnx", "s3://bucket/path/model.onnx"),
        ("mlflow://1/abc/artifacts/model", "mlflow://1/abc/artifacts/model"),
        ("https://h/p?version=2&flag#part", "https://h/p?version=2&flag#part"),
        ("https://h/p?Key=1&KEY", "https://h/p?Key=REDACTED&KEY"),
    ],
)
def test_credentials_are_redacted_and_nothing_else_changes(url, expected):
    assert url_without_secrets(url) == expected
    # The migration's copy for rows recorded before says the same.
    assert migration._redacted(url) == expected
