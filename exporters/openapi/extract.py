"""Extracts the part of the Fortnox and Visma eAccounting OpenAPI descriptions
that the exporters use (supplier invoices, suppliers, attachments, and the
look-ups they need), with every component those operations refer to.

    python3 extract.py [FORTNOX_JSON [VISMA_YAML [OUT_DIR]]]

Defaults: fortnox.json and visma-eaccounting.yaml next to this script, and
the subsets are written next to it as fortnox-subset.json and
visma-subset.json. The full files are not committed (see SOURCES.md for where
they come from and how to restore them); only the subsets and this script are.

Nothing is edited: path items keep only the listed methods (plus any
path-level parameters), and each operation and component is copied as
published, keys in their original order. The script fails if a "$ref" in
an output does not resolve inside that output.
"""
import hashlib
import json
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))

FORTNOX_OPS = [
    ("/3/supplierinvoices", "get"),
    ("/3/supplierinvoices", "post"),
    ("/3/suppliers", "get"),
    ("/3/suppliers", "post"),
    ("/3/inbox", "post"),
    ("/3/supplierinvoicefileconnections", "post"),
]
FORTNOX_ROOTS = ["fortnox_MetaInformation", "fortnox_ErrorInformationWrap"]

# Visma names the terms-of-payment resource /termsofpayments (plural).
VISMA_OPS = [
    ("/vatcodes", "get"),
    ("/termsofpayments", "get"),
    ("/suppliers", "get"),
    ("/suppliers", "post"),
    ("/supplierinvoicedrafts", "get"),
    ("/supplierinvoicedrafts", "post"),
    ("/supplierinvoices", "get"),
    ("/attachments", "post"),
    ("/attachmentlinks", "post"),
]
VISMA_ROOTS = ["CommonError"]

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1's yes/no/on/off booleans and timestamps,
    so that scalars come through as the OpenAPI 3.1 (YAML 1.2) reader sees them."""


Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf")
)


def refs(node, out):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            kind, name = ref[len("#/components/"):].split("/", 1)
            out.add((kind, unescape(name)))
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def unescape(token):
    return token.replace("~1", "/").replace("~0", "~")


def resolve(doc, ref):
    node = doc
    for token in ref[2:].split("/"):
        token = unescape(token)
        if isinstance(node, list):
            node = node[int(token)]
        else:
            node = node[token]
    return node


def check(doc, label):
    """Every "$ref" must be a local pointer that resolves inside doc."""
    bad, seen = [], 0

    def walk(node):
        nonlocal seen
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref is not None:
                seen += 1
                try:
                    if not (isinstance(ref, str) and ref.startswith("#/")):
                        raise KeyError(ref)
                    resolve(doc, ref)
                except (KeyError, IndexError, ValueError, TypeError):
                    bad.append(ref)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    if bad:
        sys.exit("%s: %d unresolved $ref: %s" % (label, len(bad), sorted(set(bad))))
    return seen


def subset(spec, ops, roots):
    paths = {}
    keep = {p: {m for q, m in ops if q == p} for p, _ in ops}
    for p, item in spec["paths"].items():  # original path order
        if p not in keep:
            continue
        missing = keep[p] - set(item)
        if missing:
            sys.exit("missing operation(s) %s %s" % (sorted(missing), p))
        paths[p] = {k: v for k, v in item.items() if k not in HTTP_METHODS or k in keep[p]}
    missing = set(keep) - set(paths)
    if missing:
        sys.exit("missing path(s) %s" % sorted(missing))

    components = spec.get("components", {})
    wanted, todo = set(), {("schemas", r) for r in roots}
    refs(paths, todo)
    while todo:
        item = todo.pop()
        if item in wanted:
            continue
        kind, name = item
        if name not in components.get(kind, {}):
            sys.exit("missing component %s/%s" % item)
        wanted.add(item)
        found = set()
        refs(components[kind][name], found)
        todo |= found - wanted

    out_components = {}
    for kind, entries in components.items():  # original kind and name order
        kept = {k: v for k, v in entries.items() if (kind, k) in wanted}
        if kept:
            out_components[kind] = kept
    out = {"openapi": spec["openapi"], "info": spec["info"]}
    if "servers" in spec:
        out["servers"] = spec["servers"]
    out["paths"] = paths
    out["components"] = out_components
    return out


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def main():
    args = sys.argv[1:]
    fortnox_in = args[0] if len(args) > 0 else os.path.join(HERE, "fortnox.json")
    visma_in = args[1] if len(args) > 1 else os.path.join(HERE, "visma-eaccounting.yaml")
    out_dir = args[2] if len(args) > 2 else HERE

    with open(fortnox_in, encoding="utf-8") as f:
        fortnox = json.load(f)
    with open(visma_in, encoding="utf-8") as f:
        visma = yaml.load(f, Loader=Yaml12Loader)

    for label, src, spec, ops, roots, name in [
        ("fortnox", fortnox_in, fortnox, FORTNOX_OPS, FORTNOX_ROOTS, "fortnox-subset.json"),
        ("visma", visma_in, visma, VISMA_OPS, VISMA_ROOTS, "visma-subset.json"),
    ]:
        out = subset(spec, ops, roots)
        text = json.dumps(out, indent=1, sort_keys=False, ensure_ascii=False) + "\n"
        again = json.loads(text)  # the output is valid JSON and round-trips
        if again != out:
            sys.exit("%s: output does not round-trip" % label)
        nrefs = check(again, label)
        dest = os.path.join(out_dir, name)
        with open(dest, "w", encoding="utf-8") as f:
            f.write(text)
        print(
            "%s: %s sha256 %s -> %s: %d paths, %d operations, %s, %d $ref all resolve, %d bytes"
            % (
                label,
                os.path.basename(src),
                sha256(src),
                name,
                len(out["paths"]),
                len(ops),
                ", ".join("%d %s" % (len(v), k) for k, v in out["components"].items()),
                nrefs,
                len(text.encode("utf-8")),
            )
        )


main()
