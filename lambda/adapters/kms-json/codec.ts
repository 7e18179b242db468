/**
 * AWS JSON 1.1 request decoding and response encoding, driven by the KMS model.
 *
 * Decoding validates the whole input against the operation's input shape before any operation
 * runs, and reports the violations at once in the AWS wording:
 *
 *   1 validation error detected: Value 'x' at 'keySpec' failed to satisfy constraint: Member must …
 *   2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: …; Value …
 *
 * As AWS's JSON services do, a message lists at most the first 10 violations, and its count says
 * 10 (D25): 40,000 wrong-typed list members make a message of a few kilobytes, not megabytes.
 *
 * Paths are lower-camel member names; list elements are `<list>.<n>.member` (1-based), map
 * entries `<map>.<key>`. Sensitive members never show their value (`Value at 'plaintext' …`);
 * blobs show only their length, in the form AWS uses. A JSON value of the wrong type is a
 * validation error too ("Member must be of type integer"), a blob that is not base64 is a
 * SerializationException. JSON null is the same as an absent member. Unknown members are ignored.
 *
 * Decoded values: blobs → Uint8Array, timestamps → Date, everything else as parsed. Objects are
 * built from the model's member names, and maps with Object.fromEntries, so no request key can
 * reach a prototype (`__proto__` in an encryption context is just a key).
 */
import { SerializationException, ValidationException } from '../../core/errors';
import type { KmsModel, ListShape, MapShape, Shape, StringShape, StructureShape } from './model';

/** AWS's JSON services stop listing violations at ten (the count in the message is then 10 too). */
export const MAX_VIOLATIONS = 10;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** Longest rendering of a value of the wrong type in a message. */
const MAX_SHOWN = 256;
/** Longest echo of a well-typed value (AWS echoes it whole; a megabyte of KeyId need not come back). */
const MAX_ECHOED = 4096;
/** Base64 characters, then at most two `=`: what isBase64 checks before it counts. */
const BASE64_CHARACTERS = /^[A-Za-z0-9+/]*={0,2}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;

interface Violation {
  readonly path: string;
  /** What follows "Value": `'x'`, `null`, or "" for a sensitive member. */
  readonly shown: string;
  readonly constraint: string;
}

/** Decodes and validates `body` (an already parsed JSON object) against the input shape `shapeName`. */
export function decodeInput(model: KmsModel, shapeName: string | undefined, body: Record<string, unknown>): Record<string, unknown> {
  if (shapeName === undefined) return {};
  const violations: Violation[] = [];
  const shape = model.shape(shapeName);
  if (shape.type !== 'structure') throw new Error(`input shape ${shapeName} is not a structure`);
  const input = new Decoder(model, violations).structure(shape, body, '');
  if (violations.length > 0) throw new ValidationException(validationMessage(violations));
  return input;
}

export function validationMessage(violations: readonly Violation[]): string {
  const n = violations.length;
  const details = violations.map((v) => `Value${v.shown ? ` ${v.shown}` : ''} at '${v.path}' failed to satisfy constraint: ${v.constraint}`);
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${details.join('; ')}`;
}

/** Model patterns compiled once per process: a Decoder lives for one request. */
const PATTERNS = new Map<string, RegExp>();

class Decoder {
  constructor(
    private readonly model: KmsModel,
    private readonly violations: Violation[],
  ) {}

  structure(shape: StructureShape, value: Record<string, unknown>, path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const member of membersOf(this.model, shape)) {
      const raw = Object.hasOwn(value, member.name) ? value[member.name] : undefined;
      if (raw === undefined || raw === null) {
        if (member.required) this.violate(path ? `${path}.${member.path}` : member.path, 'null', 'Member must not be null');
        continue;
      }
      const decoded = this.value(member.shape, raw, path ? `${path}.${member.path}` : member.path);
      if (decoded !== undefined) out[member.name] = decoded;
    }
    return out;
  }

  /** Returns the decoded value, or undefined after recording a violation that makes it unusable. */
  private value(shape: Shape, raw: unknown, path: string): unknown {
    switch (shape.type) {
      case 'structure':
        if (!isPlainObject(raw)) return this.wrongType(shape, raw, path, 'structure');
        return this.structure(shape, raw, path);
      case 'list':
        if (!Array.isArray(raw)) return this.wrongType(shape, raw, path, 'list');
        return this.list(shape, raw, path);
      case 'map':
        if (!isPlainObject(raw)) return this.wrongType(shape, raw, path, 'map');
        return this.map(shape, raw, path);
      case 'string':
        if (typeof raw !== 'string') return this.wrongType(shape, raw, path, 'string');
        this.checkString(shape, raw, path);
        return raw;
      case 'integer':
      case 'long':
        if (typeof raw !== 'number' || !Number.isInteger(raw) || (shape.type === 'integer' && (raw < INT32_MIN || raw > INT32_MAX))) {
          return this.wrongType(shape, raw, path, shape.type);
        }
        this.checkRange(shape, raw, path);
        return raw;
      case 'boolean':
        if (typeof raw !== 'boolean') return this.wrongType(shape, raw, path, 'boolean');
        return raw;
      case 'blob': {
        if (typeof raw !== 'string') return this.wrongType(shape, raw, path, 'blob');
        // Not a constraint violation but an undecodable document, as AWS treats it.
        if (!isBase64(raw)) throw new SerializationException(`Value at '${path}' is not valid base64.`);
        // Decoded straight into an array of its own (no pooled Buffer, no copy of one).
        const bytes = new Uint8Array(Buffer.byteLength(raw, 'base64'));
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).write(raw, 'base64');
        this.checkLength(shape, bytes.length, path, raw);
        return bytes;
      }
      case 'timestamp': {
        const date = toDate(raw);
        if (!date) return this.wrongType(shape, raw, path, 'timestamp');
        return date;
      }
    }
  }

  private list(shape: ListShape, raw: readonly unknown[], path: string): unknown[] {
    const memberShape = this.model.shape(shape.member);
    this.checkLength(shape, raw.length, path, raw);
    const out: unknown[] = [];
    raw.forEach((item, index) => {
      const itemPath = `${path}.${index + 1}.member`;
      if (item === null || item === undefined) {
        this.violate(itemPath, 'null', 'Member must not be null');
        return;
      }
      out.push(this.value(memberShape, item, itemPath));
    });
    return out;
  }

  private map(shape: MapShape, raw: Record<string, unknown>, path: string): Record<string, unknown> {
    const keyShape = this.model.shape(shape.key);
    const valueShape = this.model.shape(shape.value);
    const entries = Object.entries(raw);
    this.checkLength(shape, entries.length, path, raw);
    const out: [string, unknown][] = [];
    for (const [key, value] of entries) {
      const entryPath = `${path}.${key}`;
      if (keyShape.type === 'string') this.checkString(keyShape, key, entryPath);
      if (value === null || value === undefined) {
        this.violate(entryPath, 'null', 'Member must not be null');
        continue;
      }
      out.push([key, this.value(valueShape, value, entryPath)]);
    }
    return Object.fromEntries(out); // defines own properties: a "__proto__" key stays a key
  }

  private checkString(shape: StringShape, value: string, path: string): void {
    this.checkLength(shape, value.length, path, value);
    if (shape.pattern !== undefined && !this.pattern(shape.pattern).test(value)) {
      this.violate(path, this.shown(shape, value), `Member must satisfy regular expression pattern: ${shape.pattern}`);
    }
    if (shape.enum !== undefined && !shape.enum.includes(value)) {
      this.violate(path, this.shown(shape, value), `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
    }
  }

  /** `value` is what a violation shows (rendered only then); a blob shows its decoded length. */
  private checkLength(shape: Shape, length: number, path: string, value: unknown): void {
    if (shape.min !== undefined && length < shape.min) {
      this.violate(path, this.lengthShown(shape, length, value), `Member must have length greater than or equal to ${shape.min}`);
    }
    if (shape.max !== undefined && length > shape.max) {
      this.violate(path, this.lengthShown(shape, length, value), `Member must have length less than or equal to ${shape.max}`);
    }
  }

  private lengthShown(shape: Shape, length: number, value: unknown): string {
    if (shape.type !== 'blob') return this.shown(shape, value);
    return shape.sensitive ? '' : blobShown(length);
  }

  private checkRange(shape: Shape, value: number, path: string): void {
    if (shape.min !== undefined && value < shape.min) {
      this.violate(path, this.shown(shape, value), `Member must have value greater than or equal to ${shape.min}`);
    }
    if (shape.max !== undefined && value > shape.max) {
      this.violate(path, this.shown(shape, value), `Member must have value less than or equal to ${shape.max}`);
    }
  }

  private wrongType(shape: Shape, raw: unknown, path: string, type: string): undefined {
    const shown = shape.sensitive ? '' : `'${preview(raw)}'`;
    this.violate(path, shown, `Member must be of type ${type}`);
    return undefined;
  }

  private violate(path: string, shown: string, constraint: string): void {
    // Decoding goes on past the tenth: a blob that is not base64 further on is still a SerializationException.
    if (this.violations.length < MAX_VIOLATIONS) this.violations.push({ path, shown, constraint });
  }

  /** How AWS prints a (well-typed) value: strings as is, blobs by length, lists as [a, b]. */
  private shown(shape: Shape, value: unknown): string {
    if (shape.sensitive) return '';
    const text = this.render(shape, value);
    return `'${text.length > MAX_ECHOED ? `${text.slice(0, MAX_ECHOED)}...` : text}'`;
  }

  private render(shape: Shape, value: unknown): string {
    if (shape.sensitive) return '***';
    switch (shape.type) {
      case 'list': {
        const member = this.model.shape(shape.member);
        const items = Array.isArray(value) ? value : [];
        const shownItems = items.slice(0, 256).map((v) => this.render(member, v));
        return `[${shownItems.join(', ')}${items.length > 256 ? ', ...' : ''}]`;
      }
      case 'map': {
        const valueShape = this.model.shape(shape.value);
        const entries = isPlainObject(value) ? Object.entries(value) : [];
        return `{${entries.map(([k, v]) => `${k}=${this.render(valueShape, v)}`).join(', ')}}`;
      }
      case 'structure': {
        if (!isPlainObject(value)) return preview(value);
        const parts = Object.entries(shape.members)
          .filter(([name]) => Object.hasOwn(value, name) && value[name] !== null)
          .map(([name, s]) => `${name}: ${this.render(this.model.shape(s), value[name])}`);
        return `{${parts.join(', ')}}`;
      }
      case 'blob':
        return typeof value === 'string' && isBase64(value) ? blobShownBare(Buffer.from(value, 'base64').length) : preview(value);
      default:
        return typeof value === 'string' ? value : preview(value);
    }
  }

  private pattern(source: string): RegExp {
    let re = PATTERNS.get(source);
    if (!re) {
      // Model patterns are Java regular expressions matched against the whole value.
      re = new RegExp(`^(?:${source})$`);
      PATTERNS.set(source, re);
    }
    return re;
  }
}

/** Encodes an operation's output for the wire: Uint8Array → base64, Date → epoch seconds, undefined/null dropped. */
export function encodeOutput(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map((v) => encodeOutput(v) ?? null);
  if (typeof value === 'object') {
    // On every answer's path: no entry arrays. defineProperty keeps a "__proto__" key a key.
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const encoded = encodeOutput((value as Record<string, unknown>)[k]);
      if (encoded === undefined) continue;
      if (k === '__proto__') Object.defineProperty(out, k, { value: encoded, enumerable: true, writable: true, configurable: true });
      else out[k] = encoded;
    }
    return out;
  }
  return value;
}

/**
 * The answer body of an operation's output: exactly `JSON.stringify(encodeOutput(output) ?? {})`,
 * written in one pass without the encoded copy. Base64 text needs no JSON escaping, so a blob (an
 * Encrypt's 400-character ciphertext) is written as is instead of scanned by JSON.stringify; member
 * names' JSON text is kept once per name.
 */
export function outputJson(output: unknown): string {
  return jsonOf(output) ?? '{}';
}

/** Member names (the model's, a few hundred at most) as JSON text. */
const NAME_TEXT = new Map<string, string>();
const MAX_NAMES = 1024;

function nameText(name: string): string {
  let text = NAME_TEXT.get(name);
  if (text === undefined) {
    text = JSON.stringify(name);
    if (NAME_TEXT.size < MAX_NAMES) NAME_TEXT.set(name, text);
  }
  return text;
}

/** The JSON text of `encodeOutput(value)`, undefined where JSON.stringify leaves the value out. */
function jsonOf(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Uint8Array) return `"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}"`;
  if (value instanceof Date) return JSON.stringify(value.getTime() / 1000);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += `${i === 0 ? '' : ','}${jsonOf(value[i]) ?? 'null'}`;
    return `${text}]`;
  }
  if (typeof value === 'object') {
    let text = '{';
    for (const k of Object.keys(value)) {
      const member = jsonOf((value as Record<string, unknown>)[k]);
      if (member === undefined) continue;
      text += `${text === '{' ? '' : ','}${nameText(k)}:${member}`;
    }
    return `${text}}`;
  }
  return JSON.stringify(value);
}

/**
 * Parses a request body. An empty body is an empty input; anything that is not a JSON object is a
 * SerializationException (AWS's code for an undecodable document).
 */
export function parseJsonObject(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new SerializationException('The request body is not valid JSON.');
  }
  if (!isPlainObject(parsed)) throw new SerializationException('The request body must be a JSON object.');
  return parsed;
}

/**
 * Standard base64, padded or not: groups of four characters, the last group two characters (`==` or
 * nothing after them) or three (`=` or nothing). Node's own decoder skips whatever it does not know.
 */
function isBase64(text: string): boolean {
  if (!BASE64_CHARACTERS.test(text)) return false;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const last = (text.length - padding) % 4;
  return padding === 0 ? last !== 1 : padding === 1 ? last === 3 : last === 2;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toDate(raw: unknown): Date | undefined {
  let ms: number;
  if (typeof raw === 'number' && Number.isFinite(raw)) ms = raw * 1000;
  else if (typeof raw === 'string' && ISO_8601.test(raw)) ms = Date.parse(raw);
  else return undefined;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export interface MemberPlan {
  readonly name: string;
  /** The member's segment of a violation path (and its name in a CloudTrail record): its lower-camel name. */
  readonly path: string;
  readonly shape: Shape;
  readonly required: boolean;
}

/** Each structure's members, resolved once per model (decoding and the audit record are on every request's path). */
const memberPlans = new WeakMap<StructureShape, readonly MemberPlan[]>();

export function membersOf(model: KmsModel, shape: StructureShape): readonly MemberPlan[] {
  let plan = memberPlans.get(shape);
  if (!plan) {
    const required = new Set(shape.required ?? []);
    plan = Object.entries(shape.members).map(([name, shapeName]) => ({ name, path: lowerCamel(name), shape: model.shape(shapeName), required: required.has(name) }));
    memberPlans.set(shape, plan);
  }
  return plan;
}

function lowerCamel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function blobShownBare(length: number): string {
  return `java.nio.HeapByteBuffer[pos=0 lim=${length} cap=${length}]`;
}

function blobShown(length: number): string {
  return `'${blobShownBare(length)}'`;
}

/**
 * A short JSON-like rendering of a value of the wrong type, at most MAX_SHOWN characters. Bounded in
 * depth and width, so a hostile document (deep nesting, huge arrays) costs nothing to describe.
 */
export function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : previewJson(value, 0);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}

function previewJson(value: unknown, depth: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? String(value);
  if (depth >= 4) return Array.isArray(value) ? '[...]' : '{...}';
  if (Array.isArray(value)) {
    const items = value.slice(0, 8).map((v) => previewJson(v, depth + 1));
    return `[${items.join(',')}${value.length > 8 ? ',...' : ''}]`;
  }
  const entries = Object.entries(value);
  const items = entries.slice(0, 8).map(([k, v]) => `${JSON.stringify(k)}:${previewJson(v, depth + 1)}`);
  return `{${items.join(',')}${entries.length > 8 ? ',...' : ''}}`;
}
