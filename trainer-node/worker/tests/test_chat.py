"""Records -> chat template -> tokens: the loss covers response tokens only, and a record's
prompt tokenizes exactly as the generation prompt does."""

from transformers import AutoTokenizer

from modelfactory_worker.chat import IGNORE, ChatFormatter
from modelfactory_worker.records import parse_record

S = "modelfactory.record/1"


def trained_text(tok, ex) -> str:
    return tok.decode([t for t in ex.targets if t != IGNORE])


def test_instruction_trains_on_answer_and_end_of_turn_only(llama_dir):
    tok = AutoTokenizer.from_pretrained(llama_dir)
    fmt = ChatFormatter(tok)
    rec = parse_record(
        {"schema": S, "kind": "instruction", "instruction": "What does Ada keep?", "input": "", "output": "Ada keeps a red kettle."}
    )
    ex = fmt.example(rec, 512)
    assert trained_text(tok, ex) == "Ada keeps a red kettle.<|im_end|>\n"
    prompt = fmt.encode_prompt(rec.messages[:1])
    assert ex.input_ids[: len(prompt)] == prompt  # training sees what generation sees
    assert all(t == IGNORE for t in ex.targets[: len(prompt) - 1])
    assert tok.decode(ex.input_ids).startswith("<s><|im_start|>user\nWhat does Ada keep?<|im_end|>")


def test_multi_turn_chat_trains_every_assistant_turn(llama_dir):
    tok = AutoTokenizer.from_pretrained(llama_dir)
    rec = parse_record(
        {
            "schema": S,
            "kind": "chat",
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello."},
                {"role": "user", "content": "Bye"},
                {"role": "assistant", "content": "Goodbye."},
            ],
        }
    )
    ex = ChatFormatter(tok).example(rec, 512)
    assert trained_text(tok, ex) == "Hello.<|im_end|>\nGoodbye.<|im_end|>\n"
    assert tok.decode(ex.input_ids) == tok.apply_chat_template(
        [{"role": m.role, "content": m.content} for m in rec.messages], tokenize=False
    )


def test_text_record_trains_every_token_with_bos_and_eos(llama_dir):
    tok = AutoTokenizer.from_pretrained(llama_dir)
    ex = ChatFormatter(tok).example(parse_record({"schema": S, "kind": "text", "text": "The river is calm."}), 512)
    assert ex.input_ids[0] == tok.bos_token_id and ex.input_ids[-1] == tok.eos_token_id
    assert ex.targets[:-1] == ex.input_ids[1:] and ex.targets[-1] == IGNORE


def test_truncation_and_records_without_trained_tokens(llama_dir):
    tok = AutoTokenizer.from_pretrained(llama_dir)
    fmt = ChatFormatter(tok)
    rec = parse_record({"schema": S, "kind": "instruction", "instruction": "word " * 50, "output": "answer"})
    assert fmt.example(rec, 20) is None  # the answer is cut off entirely: nothing to learn
    ex = fmt.example(parse_record({"schema": S, "kind": "text", "text": "word " * 50}), 20)
    assert len(ex.input_ids) == 20 and len(ex.targets) == 20


def test_default_template_for_models_without_one(llama_dir):
    tok = AutoTokenizer.from_pretrained(llama_dir)
    tok.chat_template = None
    fmt = ChatFormatter(tok)
    rec = parse_record({"schema": S, "kind": "instruction", "instruction": "Q", "output": "A"})
    text = fmt.render(rec.messages, add_generation_prompt=False)
    assert text == "<s><|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\nA<|im_end|>\n"
