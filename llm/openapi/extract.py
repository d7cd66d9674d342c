"""Extracts the part of OpenAI's published OpenAPI description that invex
uses (chat completions, files, batches, errors) from a checkout of the
public openai/openai-openapi repository, with every schema those refer to.

    python3 extract.py /path/to/openai-openapi/openapi.json COMMIT > openai-subset.json

The test server (`llm/src/test_server`) validates requests and its own
responses against these schemas. Nothing is edited: the schemas are copied
as published (MIT, see LICENSE-openai-openapi).
"""
import json
import sys

ROOTS = [
    "CreateChatCompletionRequest",
    "CreateChatCompletionResponse",
    "OpenAIFile",
    "Batch",
    "ErrorResponse",
]
PATHS = ["/chat/completions", "/files", "/files/{file_id}/content", "/batches", "/batches/{batch_id}"]


def refs(node, out):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            out.add(ref.rsplit("/", 1)[1])
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def main():
    spec = json.load(open(sys.argv[1]))
    schemas = spec["components"]["schemas"]
    paths = {p: spec["paths"][p] for p in PATHS}
    wanted, todo = set(), set(ROOTS)
    refs(paths, todo)
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        found = set()
        refs(schemas[name], found)
        todo |= found - wanted
    out = {
        "openapi": spec["openapi"],
        "info": {
            "title": spec["info"]["title"] + " (the part invex uses)",
            "version": spec["info"]["version"],
            "x-source": "https://github.com/openai/openai-openapi/blob/%s/openapi.json" % sys.argv[2],
        },
        "paths": paths,
        "components": {"schemas": {k: schemas[k] for k in sorted(wanted)}},
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


main()
