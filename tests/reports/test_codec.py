"""A report survives JSON: every type the model uses (enums, dates, optional floats,
tuples of dataclasses) comes back equal, and a field an older file lacks takes its default."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tests.reports.samples import sample_report
from wecomply.reports import codec
from wecomply.reports.model import AssessmentSection, MonthlyReport


def test_a_report_round_trips_through_json_equal() -> None:
    report = sample_report()
    again = codec.from_json(codec.to_json(report))
    assert again == report and isinstance(again, MonthlyReport)
    assert again.scope.kind is report.scope.kind  # the enum member, not its string


def test_a_field_missing_from_an_older_file_takes_its_default() -> None:
    report = sample_report()
    document = json.loads(codec.to_json(report))
    assessment = document["report"]["assessment"]
    assert assessment is not None and "failed_twice" in assessment
    del assessment["failed_twice"]
    again = codec.from_json(json.dumps(document))
    default = {f.name: f.default for f in dataclasses.fields(AssessmentSection)}["failed_twice"]
    assert again.assessment is not None and again.assessment.failed_twice == default != report.assessment.failed_twice


def test_an_unknown_format_is_refused() -> None:
    document = json.loads(codec.to_json(sample_report()))
    document["format"] = codec.FORMAT_VERSION + 1
    with pytest.raises(ValueError, match="format"):
        codec.from_json(json.dumps(document))
