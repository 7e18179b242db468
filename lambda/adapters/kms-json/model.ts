/**
 * The KMS service model (trimmed from botocore by scripts/gen-kms-model.py), typed. The codec
 * validates requests against it; the dispatcher uses its operation names to tell an operation
 * this service does not implement (UnsupportedOperationException) from an unknown target.
 */
import cloudTrailRaw from './cloudtrail-model.json' with { type: 'json' };
import raw from './kms-model.json' with { type: 'json' };

interface Constrained {
  readonly min?: number;
  readonly max?: number;
  /** Values are omitted from validation messages (AWS prints `Value at '<path>'`). */
  readonly sensitive?: boolean;
}
export interface StructureShape extends Constrained {
  readonly type: 'structure';
  readonly required?: readonly string[];
  /** Member name → shape name. */
  readonly members: Readonly<Record<string, string>>;
}
export interface ListShape extends Constrained { readonly type: 'list'; readonly member: string }
export interface MapShape extends Constrained { readonly type: 'map'; readonly key: string; readonly value: string }
export interface StringShape extends Constrained {
  readonly type: 'string';
  readonly enum?: readonly string[];
  /** A Java regular expression that must match the whole value. */
  readonly pattern?: string;
}
export interface ScalarShape extends Constrained { readonly type: 'integer' | 'long' | 'boolean' | 'blob' | 'timestamp' }
export type Shape = StructureShape | ListShape | MapShape | StringShape | ScalarShape;

export interface OperationModel {
  readonly input?: string;
  readonly output?: string;
}

export interface KmsModel {
  /** `endpointPrefix` is also the SigV4 signing name (`kms`, `cloudtrail`). */
  readonly metadata: { readonly targetPrefix: string; readonly endpointPrefix: string };
  readonly operations: ReadonlyMap<string, OperationModel>;
  shape(name: string): Shape;
}

interface RawModel {
  readonly metadata: { readonly targetPrefix: string; readonly endpointPrefix: string };
  readonly operations: Record<string, OperationModel>;
  readonly shapes: Record<string, Shape>;
}

/** Wraps a model document; lookups go through Maps, so no name read from a request reaches a prototype. */
export function kmsModelFrom(doc: RawModel): KmsModel {
  const shapes = new Map(Object.entries(doc.shapes));
  return {
    metadata: doc.metadata,
    operations: new Map(Object.entries(doc.operations)),
    shape(name) {
      const shape = shapes.get(name);
      if (!shape) throw new Error(`the KMS model has no shape ${name}`);
      return shape;
    },
  };
}

export const kmsModel: KmsModel = kmsModelFrom(raw as unknown as RawModel);

/** CloudTrail's model, trimmed to LookupEvents: the same endpoint answers it (design decision 12). */
export const cloudTrailModel: KmsModel = kmsModelFrom(cloudTrailRaw as unknown as RawModel);
