"""Checks Block Kit payloads with slack-sdk's models (somebody else's reading of Slack's rules, not ours).

stdin: a JSON list of {"id": str, "kind": "blocks" | "view", "payload": list of blocks | view object}.
stdout: a JSON list of {"id": str, "problem": str}, empty when every payload passes.

For each block: Block.parse must know its type (unknown types parse to None), validate_json() must pass (text
lengths, element counts, required fields), and to_dict() must keep every field we sent (slack-sdk silently drops
fields it does not know, which would be a misspelt or misplaced field). Views: View(**d).validate_json() too.
One process for the whole batch: Python's start-up is the slow part.
"""
import json
import sys

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View


def dropped(sent, kept, path=""):
    """Paths present in what we sent but missing from slack-sdk's to_dict()."""
    out = []
    if isinstance(sent, dict) and isinstance(kept, dict):
        for key, value in sent.items():
            where = f"{path}.{key}" if path else key
            if key not in kept:
                out.append(where)
            else:
                out.extend(dropped(value, kept[key], where))
    elif isinstance(sent, list) and isinstance(kept, list):
        for i, (a, b) in enumerate(zip(sent, kept)):
            out.extend(dropped(a, b, f"{path}[{i}]"))
        if len(sent) != len(kept):
            out.append(f"{path} (length {len(sent)} became {len(kept)})")
    return out


def check_block(data, where):
    problems = []
    if not isinstance(data, dict):
        return [f"{where}: not an object"]
    try:
        block = Block.parse(data)
    except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as error:
        return [f"{where} ({data.get('type')}): {error}"]
    if block is None:
        return [f"{where}: unknown block type {data.get('type')!r}"]
    try:
        block.validate_json()
        kept = block.to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as error:
        return [f"{where} ({data.get('type')}): {error}"]
    for path in dropped(data, kept):
        problems.append(f"{where} ({data.get('type')}): field {path} is not part of the block (slack-sdk drops it)")
    return problems


def check(item):
    kind, payload = item.get("kind"), item.get("payload")
    if kind == "blocks":
        if not isinstance(payload, list):
            return ["blocks is not a list"]
        problems = []
        for i, block in enumerate(payload):
            problems.extend(check_block(block, f"blocks[{i}]"))
        return problems
    if kind == "view":
        try:
            view = View(**payload)
            view.validate_json()
        except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as error:
            return [f"view: {error}"]
        problems = []
        for i, block in enumerate(payload.get("blocks", [])):
            problems.extend(check_block(block, f"view.blocks[{i}]"))
        return problems
    return [f"unknown kind {kind!r}"]


def main():
    items = json.load(sys.stdin)
    problems = []
    for item in items:
        for problem in check(item):
            problems.append({"id": item.get("id"), "problem": problem})
    json.dump(problems, sys.stdout)


if __name__ == "__main__":
    main()
