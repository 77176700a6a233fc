"""Audits an IAM policy (docs/iam-policy.json, docs/iam-policy-eks.json) with parliament (AWS's action, resource and condition-key tables, offline).

parliament checks every statement on its own, so a statement that grants an action on only some of its
required resource types is reported as RESOURCE_MISMATCH even when another statement grants the rest.
ami-bot's policy does that on purpose (CreateImage: the instance by its Name tag, the new image and
snapshots by their request tags; SendCommand: the document, and the instance by its tag), so such a
finding is accepted only when some other Allow statement for the same action covers the missing format.
Every other finding fails.
"""

import json
import sys

from parliament import analyze_policy_string, is_arn_strictly_valid


def as_list(value):
    return value if isinstance(value, list) else [value]


def covered_elsewhere(policy, action, required_format):
    for statement in policy["Statement"]:
        if statement.get("Effect") != "Allow" or action not in as_list(statement.get("Action", [])):
            continue
        for resource in as_list(statement.get("Resource", [])):
            if resource == "*" or is_arn_strictly_valid("", required_format, resource):
                return True
    return False


def main(path):
    text = open(path, encoding="utf-8").read()
    policy = json.loads(text)
    result = analyze_policy_string(text, filepath=path, include_community_auditors=True)
    failures = []
    for finding in result.findings:
        if finding.issue == "RESOURCE_MISMATCH":
            missing = [
                item
                for item in finding.detail
                if not covered_elsewhere(policy, item["action"], item["required_format"])
            ]
            if not missing:
                continue
            failures.append(f"RESOURCE_MISMATCH {missing} at {finding.location}")
        else:
            failures.append(f"{finding.severity} {finding.issue}: {finding.detail} at {finding.location}")
    for failure in failures:
        print(f"{path}: {failure}")
    if not failures:
        print(f"{path}: parliament found nothing to fix")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/iam-policy.json"))
