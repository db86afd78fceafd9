"""Canonical records are validated at the boundary, with the file and line in every error."""

import pytest

from conftest import write_jsonl
from modelfactory_worker.errors import WorkerError
from modelfactory_worker.records import ChatRecord, TextRecord, read_records

S = "modelfactory.record/1"


def test_all_three_kinds_parse(tmp_path):
    path = write_jsonl(
        tmp_path / "ok.jsonl",
        [
            {"schema": S, "kind": "instruction", "instruction": "Add", "input": "2 and 3", "output": "5"},
            {"schema": S, "kind": "instruction", "instruction": "Say hi", "input": "", "output": "hi"},
            {
                "schema": S,
                "kind": "chat",
                "messages": [
                    {"role": "system", "content": "be brief"},
                    {"role": "user", "content": "q"},
                    {"role": "assistant", "content": "a"},
                ],
            },
            {"schema": S, "kind": "text", "text": "plain"},
        ],
    )
    recs = read_records(path)
    assert isinstance(recs[0], ChatRecord) and recs[0].kind == "instruction"
    assert recs[0].messages[0].content == "Add\n\n2 and 3" and recs[0].messages[1].content == "5"
    assert recs[1].messages[0].content == "Say hi"
    assert [m.role for m in recs[2].messages] == ["system", "user", "assistant"]
    assert isinstance(recs[3], TextRecord) and recs[3].text == "plain"


@pytest.mark.parametrize(
    "bad, fragment",
    [
        ('{"schema": "modelfactory.record/2", "kind": "text", "text": "x"}', "field 'schema'"),
        ('{"schema": "%s", "kind": "poem", "text": "x"}' % S, "field 'kind'"),
        ('{"schema": "%s", "kind": "instruction", "input": "", "output": "o"}' % S, "missing field 'instruction'"),
        ('{"schema": "%s", "kind": "instruction", "instruction": "i", "output": 3}' % S, "field 'output' must be a string"),
        ('{"schema": "%s", "kind": "chat", "messages": []}' % S, "non-empty array"),
        ('{"schema": "%s", "kind": "chat", "messages": [{"role": "bot", "content": "x"}]}' % S, "messages[0].role"),
        ('{"schema": "%s", "kind": "chat", "messages": [{"role": "user", "content": "x"}]}' % S, "at least one assistant"),
        ('{"schema": "%s", "kind": "text", "text": ""}' % S, "must not be empty"),
        ('{"schema": "%s", "kind": "text"' % S, "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
    ],
)
def test_bad_records_name_file_line_and_field(tmp_path, bad, fragment):
    good = '{"schema": "%s", "kind": "text", "text": "fine"}' % S
    path = write_jsonl(tmp_path / "bad.jsonl", [good, "", bad])
    with pytest.raises(WorkerError) as e:
        read_records(path)
    assert e.value.code == "invalid_record"
    assert f"{path}:3:" in e.value.message and fragment in e.value.message
    assert e.value.details == {"path": path, "line": 3}


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(WorkerError) as e:
        read_records(str(tmp_path / "nope.jsonl"))
    assert e.value.code == "file_not_found"
    with pytest.raises(WorkerError) as e:
        read_records(write_jsonl(tmp_path / "empty.jsonl", []))
    assert e.value.code == "invalid_record" and "no records" in e.value.message
