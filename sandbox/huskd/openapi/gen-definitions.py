#!/usr/bin/env python3
"""Writes definitions.json: the OpenAPI v2 schema definitions of the kinds
huskd serves (io.k8s.api.core.v1.Pod, ...) and of every type they
reference, as kube-openapi's generator makes them from the Go API types.

It reads the Kubernetes Go sources (k8s.io/api/core/v1 and
k8s.io/apimachinery/pkg/apis/meta/v1: types.go for the fields, their tags
and markers, types_swagger_doc_generated.go for the descriptions).  Run it
by hand when those sources change:

    sandbox/huskd/openapi/gen-definitions.py [VENDOR_DIR] > sandbox/huskd/openapi/definitions.json

VENDOR_DIR defaults to /work/conf/cri-tools/vendor (the vendored tree of
cri-tools).  The build never runs it: definitions.json is checked in and
embedded into huskd (embed.py), so building huskd needs no Go sources;
tests/unit/huskd/openapi-definitions.sh checks the file is up to date.

Python, not C: this is a text transformation of Go sources run once by a
developer (regular expressions and dictionaries), not part of huskd; meson
already needs python3, so it adds no dependency.
"""
import json
import os
import re
import sys

CORE = "io.k8s.api.core.v1"
META = "io.k8s.apimachinery.pkg.apis.meta.v1"

# The kinds huskd serves (sandbox/huskd/discovery.c) and their lists.
KINDS = ["Pod", "Namespace", "Event", "ResourceQuota", "LimitRange", "Node",
         "Service", "ConfigMap", "Secret"]

# Types kube-openapi maps by hand (their OpenAPISchemaType/Format methods
# or OpenAPIDefinition functions), with kube-openapi's descriptions.
SPECIAL = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {
        "description": "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n<quantity>        ::= <signedNumber><suffix>\n  (Note that <suffix> may be empty, from the \"\" case in <decimalSI>.)\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= \"+\" | \"-\" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n  (International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n<decimalSI>       ::= m | \"\" | k | M | G | T | P | E\n  (Note that 1024 = 1Ki but 1000 = 1k; I didn't choose the capitalization.)\n<decimalExponent> ::= \"e\" <signedNumber> | \"E\" <signedNumber>\n\nNo matter which of the three exponent forms is used, no quantity may represent a number greater than 2^63-1 in magnitude, nor may it have more than 3 decimal places. Numbers larger or more precise will be capped or rounded up. (E.g.: 0.1m will rounded up to 1m.) This may be extended in the future if we require larger or smaller quantities.\n\nWhen a Quantity is parsed from a string, it will remember the type of suffix it had, and will use the same type again when it is serialized.\n\nBefore serializing, Quantity will be put in \"canonical form\". This means that Exponent/suffix will be adjusted up or down (with a corresponding increase or decrease in Mantissa) such that:\n  a. No precision is lost\n  b. No fractional digits will be emitted\n  c. The exponent (or suffix) is as large as possible.\nThe sign will be omitted unless the number is negative.\n\nExamples:\n  1.5 will be serialized as \"1500m\"\n  1.5Gi will be serialized as \"1536Mi\"\n\nNote that the quantity will NEVER be internally represented by a floating point number. That is the whole point of this exercise.\n\nNon-canonical values will still parse as long as they are well formed, but will be re-emitted in their canonical form. (So always use canonical form, or don't use 0.9999 etc.)\n\nThis format is intended to make it difficult to use these numbers without writing some sort of special handling code in the hopes that that will cause implementors to also use a fixed point implementation.",
        "type": "string"},
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
        "description": "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.",
        "format": "int-or-string", "type": "string"},
    META + ".Time": {
        "description": "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.",
        "format": "date-time", "type": "string"},
    META + ".MicroTime": {
        "description": "MicroTime is version of Time with microsecond level precision.",
        "format": "date-time", "type": "string"},
    META + ".Duration": {
        "description": "Duration is a wrapper around time.Duration which supports correct marshaling to YAML and JSON. In particular, it marshals into strings, which can be used as map keys in json.",
        "type": "string"},
    META + ".FieldsV1": {
        "description": "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff",
        "type": "object"},
}

# Fields of newer Kubernetes than the Go sources read that huskd writes
# (a client sends them back: kubectl replace, 1.20's validation), with
# Kubernetes 1.28's texts: {definition: {field: schema}} and new types.
NEWER_FIELDS = {
    CORE + ".PodStatus": {
        "hostIPs": {
            "description": "hostIPs holds the IP addresses allocated to the host. If this field is specified, the first entry must match the hostIP field. This list is empty if the pod has not started yet. A pod can be assigned to more than one IP in a cluster only if it's configured in the HostNetwork mode.",
            "items": {"$ref": "#/definitions/" + CORE + ".HostIP"},
            "type": "array",
            "x-kubernetes-list-type": "atomic",
            "x-kubernetes-patch-merge-key": "ip",
            "x-kubernetes-patch-strategy": "merge"},
    },
}
NEWER_TYPES = {
    CORE + ".HostIP": {
        "description": "HostIP represents a single IP address allocated to the host.",
        "properties": {"ip": {"description": "IP is the IP address assigned to the host", "type": "string"}},
        "type": "object"},
}

# Go types written as plain JSON schemas.
PRIMITIVE = {
    "string": {"type": "string"}, "bool": {"type": "boolean"},
    "int": {"type": "integer", "format": "int32"},
    "int32": {"type": "integer", "format": "int32"},
    "int64": {"type": "integer", "format": "int64"},
    "float64": {"type": "number", "format": "double"},
    "[]byte": {"type": "string", "format": "byte"},
    "types.UID": {"type": "string"},
}
QUALIFIED = {
    "resource.Quantity": "io.k8s.apimachinery.pkg.api.resource.Quantity",
    "intstr.IntOrString": "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
}


def go_string(lit):
    """The value of a Go interpreted string literal (JSON's escapes)."""
    return json.loads(lit)


class Package:
    def __init__(self, prefix, types_go, doc_go):
        self.prefix = prefix
        self.structs = {}   # name -> (type comment lines, [field])
        self.aliases = {}   # name -> Go type
        self.docs = {}      # name -> {json name or "": description}
        self.parse_types(types_go)
        self.parse_docs(doc_go)

    def parse_types(self, path):
        lines = open(path, encoding="utf-8").read().split("\n")
        comments = []
        i = 0
        while i < len(lines):
            line = lines[i]
            m = re.match(r"^type (\w+) struct \{\s*$", line)
            if m:
                name, fields, fc = m.group(1), [], []
                i += 1
                while not lines[i].startswith("}"):
                    f = lines[i].strip()
                    if f.startswith("//"):
                        fc.append(f[2:].strip())
                    elif f:
                        fields.append(self.parse_field(f, fc))
                        fc = []
                    else:
                        fc = []
                    i += 1
                self.structs[name] = (comments, fields)
                comments = []
            else:
                m = re.match(r"^type (\w+) =? ?(\S+)\s*$", line)
                if m:
                    self.aliases[m.group(1)] = m.group(2)
                if line.startswith("//"):
                    comments.append(line[2:].strip())
                elif not line.strip():
                    pass
                else:
                    comments = []
            i += 1

    @staticmethod
    def parse_field(line, comments):
        tags = {}
        m = re.match(r"^([^`]*)`([^`]*)`", line)
        decl = m.group(1) if m else line.split("//")[0]
        if m:
            tags = dict(re.findall(r'(\w+):"([^"]*)"', m.group(2)))
        words = decl.split()
        if len(words) == 1:
            name, gotype = None, words[0]
        else:
            name, gotype = words[0], "".join(words[1:])
        markers = {}
        for c in comments:
            mm = re.match(r"^\+([\w.-]+)(?:=(.*))?$", c)
            if mm:
                markers.setdefault(mm.group(1), []).append(mm.group(2) or "")
        return {"name": name, "type": gotype, "tags": tags, "markers": markers}

    def parse_docs(self, path):
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r"var map_(\w+) = map\[string\]string\{\n(.*?)\n\}", text, re.S):
            d = {}
            for km in re.finditer(r'^\s*"([^"]*)":\s*("(?:[^"\\]|\\.)*"),\s*$', m.group(2), re.M):
                d[km.group(1)] = go_string(km.group(2))
            self.docs[m.group(1)] = d


class Generator:
    def __init__(self, vendor):
        self.core = Package(CORE, os.path.join(vendor, "k8s.io/api/core/v1/types.go"),
                            os.path.join(vendor, "k8s.io/api/core/v1/types_swagger_doc_generated.go"))
        meta_dir = os.path.join(vendor, "k8s.io/apimachinery/pkg/apis/meta/v1")
        self.meta = Package(META, os.path.join(meta_dir, "types.go"),
                            os.path.join(meta_dir, "types_swagger_doc_generated.go"))
        self.definitions = {}
        self.pending = []

    def package_of(self, pkg, gotype):
        """(package, bare name) of a type named in pkg's sources."""
        if gotype.startswith("metav1."):
            return self.meta, gotype[len("metav1."):]
        return pkg, gotype

    def ref(self, name):
        if name not in self.definitions and name not in self.pending:
            self.pending.append(name)
        return {"$ref": "#/definitions/" + name}

    def schema_of(self, pkg, gotype):
        """The JSON schema of a Go type used in one of pkg's structs."""
        gotype = gotype.lstrip("*")
        if gotype in PRIMITIVE:
            return dict(PRIMITIVE[gotype])
        if gotype in QUALIFIED:
            return self.ref(QUALIFIED[gotype])
        if gotype.startswith("[]"):
            return {"type": "array", "items": self.schema_of(pkg, gotype[2:])}
        m = re.match(r"^map\[([^\]]+)\](.+)$", gotype)
        if m:
            return {"type": "object", "additionalProperties": self.schema_of(pkg, m.group(2))}
        p, name = self.package_of(pkg, gotype)
        full = p.prefix + "." + name
        if full in SPECIAL:
            return self.ref(full)
        if name in p.aliases:
            return self.schema_of(p, p.aliases[name])
        if name in p.structs:
            return self.ref(full)
        raise SystemExit("gen-definitions: unknown Go type %s (in %s)" % (gotype, pkg.prefix))

    def properties(self, pkg, struct, props, required):
        _, fields = pkg.structs[struct]
        docs = pkg.docs.get(struct, {})
        for f in fields:
            jtag = f["tags"].get("json", "")
            jname, _, opts = jtag.partition(",")
            if jname == "-":
                continue
            if f["name"] is None and "inline" in opts.split(","):
                p, name = self.package_of(pkg, f["type"].lstrip("*"))
                self.properties(p, name, props, required)
                continue
            if not jname:
                continue
            s = self.schema_of(pkg, f["type"])
            doc = docs.get(jname)
            if doc:
                s["description"] = doc
            mk = f["markers"]
            strategy = f["tags"].get("patchStrategy") or (mk.get("patchStrategy") or [None])[0]
            merge_key = f["tags"].get("patchMergeKey") or (mk.get("patchMergeKey") or [None])[0]
            if "listMapKey" in mk:
                s["x-kubernetes-list-map-keys"] = mk["listMapKey"]
            if "listType" in mk:
                s["x-kubernetes-list-type"] = mk["listType"][0]
            if "mapType" in mk:
                s["x-kubernetes-map-type"] = mk["mapType"][0]
            if merge_key:
                s["x-kubernetes-patch-merge-key"] = merge_key
            if strategy:
                s["x-kubernetes-patch-strategy"] = strategy
            props[jname] = s
            if "omitempty" not in opts.split(",") and "optional" not in mk:
                required.append(jname)

    def definition(self, full):
        if full in SPECIAL:
            return dict(SPECIAL[full])
        pkg = self.meta if full.startswith(META + ".") else self.core
        name = full[len(pkg.prefix) + 1:]
        comments, _ = pkg.structs[name]
        props, required = {}, []
        self.properties(pkg, name, props, required)
        d = {}
        doc = pkg.docs.get(name, {}).get("")
        if doc:
            d["description"] = doc
        d["type"] = "object"
        if props:
            d["properties"] = props
        if required:
            d["required"] = required
        for c in comments:
            m = re.match(r"^\+structType=(\w+)$", c)
            if m and m.group(1) == "atomic":
                d["x-kubernetes-map-type"] = "atomic"
        return d

    def run(self):
        for kind in KINDS:
            for k in (kind, kind + "List"):
                self.ref(CORE + "." + k)
        while self.pending:
            full = self.pending.pop(0)
            self.definitions[full] = self.definition(full)
        for name, fields in NEWER_FIELDS.items():
            self.definitions[name]["properties"].update(fields)
        self.definitions.update(NEWER_TYPES)
        for kind in KINDS:
            for k in (kind, kind + "List"):
                self.definitions[CORE + "." + k]["x-kubernetes-group-version-kind"] = [
                    {"group": "", "kind": k, "version": "v1"}]
        return self.definitions


def main():
    vendor = sys.argv[1] if len(sys.argv) > 1 else "/work/conf/cri-tools/vendor"
    defs = Generator(vendor).run()
    json.dump(defs, sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
