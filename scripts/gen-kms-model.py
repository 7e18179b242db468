#!/usr/bin/env python3
"""Generates lambda/adapters/kms-json/kms-model.json from the botocore KMS service model, and
lambda/adapters/kms-json/cloudtrail-model.json (only LookupEvents, which the same endpoint answers)
from the botocore CloudTrail model.

The output keeps what the protocol adapter needs to validate requests and to know every KMS
operation name: for each operation its input and output shape, and every shape reachable from
them with its type and constraints (required, enum, min/max, pattern, sensitive, list member,
map key/value, structure members). Documentation strings, errors and examples are dropped.

Usage: python3 scripts/gen-kms-model.py [--check]
  --check  exit 1 if the committed file differs from what would be generated (CI drift check)

The botocore model is Apache-2.0 (Copyright Amazon.com, Inc. or its affiliates); the generated
file says so in its "_source" and "_license" fields.
"""
import gzip
import json
import os
import sys

import botocore

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, '..', 'lambda', 'adapters', 'kms-json')
DATA = os.path.join(os.path.dirname(botocore.__file__), 'data')
# (output file, botocore service, API version, operations kept; None = all)
MODELS = (
    ('kms-model.json', 'kms', '2014-11-01', None),
    ('cloudtrail-model.json', 'cloudtrail', '2013-11-01', ('LookupEvents',)),
)

# Shape keys kept as they are (all others, e.g. documentation, deprecated, exception, are dropped).
SCALAR_KEYS = ('type', 'required', 'enum', 'min', 'max', 'pattern', 'sensitive')


def load_source(service, version):
    source = os.path.join(DATA, service, version, 'service-2.json')
    for path, opener in ((source + '.gz', gzip.open), (source, open)):
        if os.path.exists(path):
            with opener(path, 'rt', encoding='utf-8') as f:
                return json.load(f)
    sys.exit(f'botocore {service} model not found at {source}[.gz]; pip install botocore')


def trim_shape(shape):
    out = {k: shape[k] for k in SCALAR_KEYS if k in shape}
    if shape['type'] == 'structure':
        out['members'] = {name: m['shape'] for name, m in shape['members'].items()}
    elif shape['type'] == 'list':
        out['member'] = shape['member']['shape']
    elif shape['type'] == 'map':
        out['key'] = shape['key']['shape']
        out['value'] = shape['value']['shape']
    return out


def referenced(shape):
    if shape['type'] == 'structure':
        return [m['shape'] for m in shape['members'].values()]
    if shape['type'] == 'list':
        return [shape['member']['shape']]
    if shape['type'] == 'map':
        return [shape['key']['shape'], shape['value']['shape']]
    return []


def generate(service, version, keep):
    model = load_source(service, version)
    shapes = model['shapes']
    operations = {}
    pending = []
    for name in sorted(model['operations']):
        if keep is not None and name not in keep:
            continue
        op = model['operations'][name]
        entry = {}
        if 'input' in op:
            entry['input'] = op['input']['shape']
            pending.append(entry['input'])
        if 'output' in op:
            entry['output'] = op['output']['shape']
            pending.append(entry['output'])
        operations[name] = entry

    kept = {}
    while pending:
        name = pending.pop()
        if name in kept:
            continue
        kept[name] = trim_shape(shapes[name])
        pending.extend(referenced(shapes[name]))

    meta = model['metadata']
    return {
        '_source': f"botocore {botocore.__version__}, botocore/data/{service}/{meta['apiVersion']}/service-2.json "
                   '(trimmed by scripts/gen-kms-model.py: no documentation, errors or examples'
                   + ('' if keep is None else f"; only {', '.join(keep)}") + ')',
        '_license': 'Apache-2.0; Copyright Amazon.com, Inc. or its affiliates. All Rights Reserved.',
        'metadata': {k: meta[k] for k in ('apiVersion', 'jsonVersion', 'protocol', 'targetPrefix', 'signingName', 'endpointPrefix') if k in meta},
        'operations': operations,
        'shapes': {name: kept[name] for name in sorted(kept)},
    }


def main():
    for file_name, service, version, keep in MODELS:
        out = os.path.join(OUT_DIR, file_name)
        text = json.dumps(generate(service, version, keep), indent=1, sort_keys=False) + '\n'
        if '--check' in sys.argv[1:]:
            with open(out, encoding='utf-8') as f:
                if f.read() != text:
                    sys.exit(f'{os.path.relpath(out)} is out of date: run npm run gen:model')
            continue
        with open(out, 'w', encoding='utf-8') as f:
            f.write(text)
        print(f'wrote {os.path.relpath(out)}: {len(json.loads(text)["operations"])} operations')


if __name__ == '__main__':
    main()
