import { describe, expect, test } from 'vitest';
import { SerializationException, ValidationException } from '../../../../lambda/core/errors';
import { decodeInput, encodeOutput, outputJson, parseJsonObject } from '../../../../lambda/adapters/kms-json/codec';
import { kmsModel } from '../../../../lambda/adapters/kms-json/model';

const decode = (operation: string, body: Record<string, unknown>) => decodeInput(kmsModel, kmsModel.operations.get(operation)?.input, body);

function validationMessage(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationException);
    return (err as Error).message;
  }
  throw new Error('expected a ValidationException');
}

describe('the generated model', () => {
  test('names every KMS operation, implemented or not', () => {
    // GIVEN / WHEN
    const names = [...kmsModel.operations.keys()];
    // THEN
    expect(names).toEqual(expect.arrayContaining(['CreateKey', 'ImportKeyMaterial', 'Sign', 'ReplicateKey', 'GetKeyLastUsage']));
    expect(names.length).toBeGreaterThanOrEqual(53);
  });

  test('keeps constraints and drops documentation', () => {
    expect(kmsModel.shape('NumberOfBytesType')).toEqual({ type: 'integer', min: 1, max: 1024 });
    expect(kmsModel.shape('PlaintextType')).toMatchObject({ type: 'blob', sensitive: true, max: 4096 });
    expect(JSON.stringify(kmsModel.shape('CreateKeyRequest'))).not.toContain('documentation');
  });
});

describe('decodeInput', () => {
  test('passes a valid input through with blobs as Uint8Array and timestamps as Date', () => {
    // GIVEN
    const body = { KeyId: 'k', ImportToken: 'AQID', EncryptedKeyMaterial: 'BAU=', ValidTo: 1767225600, ExpirationModel: 'KEY_MATERIAL_EXPIRES' };
    // WHEN
    const input = decode('ImportKeyMaterial', body);
    // THEN
    expect(input.ImportToken).toEqual(new Uint8Array([1, 2, 3]));
    expect(input.EncryptedKeyMaterial).toEqual(new Uint8Array([4, 5]));
    expect(input.ValidTo).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(input.ExpirationModel).toBe('KEY_MATERIAL_EXPIRES');
  });

  test('accepts ISO 8601 timestamps and fractional epoch seconds', () => {
    expect(decode('ImportKeyMaterial', { KeyId: 'k', ImportToken: 'AA==', EncryptedKeyMaterial: 'AA==', ValidTo: '2026-01-01T00:00:00Z' }).ValidTo)
      .toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(decode('ImportKeyMaterial', { KeyId: 'k', ImportToken: 'AA==', EncryptedKeyMaterial: 'AA==', ValidTo: 1767225600.5 }).ValidTo)
      .toEqual(new Date('2026-01-01T00:00:00.500Z'));
  });

  test('ignores unknown members and treats null as absent', () => {
    // WHEN
    const input = decode('DescribeKey', { KeyId: 'k', Surprise: 1, GrantTokens: null });
    // THEN
    expect(input).toEqual({ KeyId: 'k' });
  });

  test('keeps "__proto__" as an ordinary encryption-context key, touching no prototype', () => {
    // GIVEN
    const body = JSON.parse('{"KeyId":"k","Plaintext":"AA==","EncryptionContext":{"__proto__":"x","constructor":"y"}}') as Record<string, unknown>;
    // WHEN
    const input = decode('Encrypt', body);
    // THEN
    const context = input.EncryptionContext as Record<string, unknown>;
    expect(Object.keys(context)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(context)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  test('fails with "Member must not be null" for a missing required member', () => {
    expect(validationMessage(() => decode('DescribeKey', {}))).toBe(
      "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    );
  });

  test('fails with every violation at once, joined by "; "', () => {
    expect(validationMessage(() => decode('GenerateRandom', { NumberOfBytes: 0, CustomKeyStoreId: '' }))).toBe(
      '2 validation errors detected: ' +
        "Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
        "Value '' at 'customKeyStoreId' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  test('fails on an out-of-range integer with the model maximum', () => {
    expect(validationMessage(() => decode('GenerateRandom', { NumberOfBytes: 1025 }))).toBe(
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    );
  });

  test('fails on a value outside the enum, listing the enum', () => {
    expect(validationMessage(() => decode('GenerateDataKey', { KeyId: 'k', KeySpec: 'AES_512' }))).toBe(
      "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
    );
  });

  test('fails on a pattern violation, quoting the model pattern', () => {
    expect(validationMessage(() => decode('CreateAlias', { AliasName: 'alias/has space', TargetKeyId: 'k' }))).toBe(
      "1 validation error detected: Value 'alias/has space' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
    );
  });

  test('fails on list members with 1-based ".member" paths', () => {
    expect(validationMessage(() => decode('CreateKey', { Tags: [{ TagKey: 'ok', TagValue: 'v' }, { TagKey: '', TagValue: 'v' }, { TagValue: 'v' }] }))).toBe(
      '2 validation errors detected: ' +
        "Value '' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value null at 'tags.3.member.tagKey' failed to satisfy constraint: Member must not be null",
    );
  });

  test('fails on a list that is too long, printing it as a list', () => {
    const tokens = Array.from({ length: 11 }, (_, i) => `t${i}`);
    expect(validationMessage(() => decode('DescribeKey', { KeyId: 'k', GrantTokens: tokens }))).toBe(
      `1 validation error detected: Value '[${tokens.join(', ')}]' at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10`,
    );
  });

  test('fails on a blob length by its size only, never its content', () => {
    expect(validationMessage(() => decode('Decrypt', { CiphertextBlob: '' }))).toBe(
      "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]' at 'ciphertextBlob' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  test('fails on a sensitive member without showing its value', () => {
    const plaintext = Buffer.alloc(4097, 7).toString('base64');
    expect(validationMessage(() => decode('Encrypt', { KeyId: 'k', Plaintext: plaintext }))).toBe(
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    );
    expect(validationMessage(() => decode('Encrypt', { KeyId: 'k', Plaintext: '' }))).toBe(
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  test.each([
    ['a string for an integer', 'GenerateRandom', { NumberOfBytes: '32' }, "Value '32' at 'numberOfBytes' failed to satisfy constraint: Member must be of type integer"],
    ['a fraction for an integer', 'GenerateRandom', { NumberOfBytes: 1.5 }, "Value '1.5' at 'numberOfBytes' failed to satisfy constraint: Member must be of type integer"],
    ['a number beyond int32', 'GenerateRandom', { NumberOfBytes: 2 ** 31 }, "Value '2147483648' at 'numberOfBytes' failed to satisfy constraint: Member must be of type integer"],
    ['a number for a string', 'DescribeKey', { KeyId: 5 }, "Value '5' at 'keyId' failed to satisfy constraint: Member must be of type string"],
    ['an object for a string', 'DescribeKey', { KeyId: { a: 1 } }, `Value '{"a":1}' at 'keyId' failed to satisfy constraint: Member must be of type string`],
    ['a string for a boolean', 'CreateKey', { MultiRegion: 'true' }, "Value 'true' at 'multiRegion' failed to satisfy constraint: Member must be of type boolean"],
    ['an object for a list', 'CreateKey', { Tags: {} }, "Value '{}' at 'tags' failed to satisfy constraint: Member must be of type list"],
    ['a list for a map', 'Encrypt', { KeyId: 'k', Plaintext: 'AA==', EncryptionContext: ['a'] }, `Value '["a"]' at 'encryptionContext' failed to satisfy constraint: Member must be of type map`],
    ['a number in a map', 'Encrypt', { KeyId: 'k', Plaintext: 'AA==', EncryptionContext: { a: 1 } }, "Value '1' at 'encryptionContext.a' failed to satisfy constraint: Member must be of type string"],
    ['a bad timestamp', 'ImportKeyMaterial', { KeyId: 'k', ImportToken: 'AA==', EncryptedKeyMaterial: 'AA==', ValidTo: 'tomorrow' }, "Value 'tomorrow' at 'validTo' failed to satisfy constraint: Member must be of type timestamp"],
  ])('fails with ValidationException on %s', (_what, operation, body, detail) => {
    expect(validationMessage(() => decode(operation, body))).toBe(`1 validation error detected: ${detail}`);
  });

  test('fails on a sensitive member of the wrong type without showing it', () => {
    expect(validationMessage(() => decode('Encrypt', { KeyId: 'k', Plaintext: 12345 }))).toBe(
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must be of type blob",
    );
  });

  test.each(['not base64!', 'A', 'AA=A', 'A===', '@@@@', 'AQID\n', 'AA=', 'AAA==', 'AQIDB', 'AQIDBA=', '-_8=', '=', '==', 'AQ ID'])('fails with SerializationException on the blob %j', (blob) => {
    expect(() => decode('Decrypt', { CiphertextBlob: blob })).toThrow(SerializationException);
  });

  test('lists at most 10 violations, as AWS does, and says 10 (D25)', () => {
    // GIVEN 40,000 list members of the wrong type
    const message = validationMessage(() => decode('DescribeKey', { KeyId: 'k', GrantTokens: Array.from({ length: 40_000 }, (_, i) => i) }));
    // THEN
    expect(message).toMatch(/^10 validation errors detected: /);
    expect(message.split('; ')).toHaveLength(10);
    expect(message).toContain("Value '1' at 'grantTokens.2.member' failed to satisfy constraint: Member must be of type string");
    expect(message).not.toContain('grantTokens.11.member');
    expect(message.length).toBeLessThan(4_000);
  });

  test('still fails with SerializationException for a bad blob after more than 10 violations', () => {
    const body = { GrantTokens: Array.from({ length: 20 }, (_, i) => i), CiphertextBlob: 'not base64!' };
    expect(() => decode('Decrypt', body)).toThrow(SerializationException);
  });

  test('reports a SerializationException before any validation error', () => {
    expect(() => decode('Encrypt', { KeyId: '', Plaintext: '%%%' })).toThrow(SerializationException);
  });

  test('accepts unpadded base64', () => {
    expect(decode('Decrypt', { CiphertextBlob: 'AQID' }).CiphertextBlob).toEqual(new Uint8Array([1, 2, 3]));
    expect(decode('Decrypt', { CiphertextBlob: 'AQ' }).CiphertextBlob).toEqual(new Uint8Array([1]));
    expect(decode('Decrypt', { CiphertextBlob: 'AQI' }).CiphertextBlob).toEqual(new Uint8Array([1, 2]));
  });

  test('decodes padded base64 into an array of its own', () => {
    const blob = decode('Decrypt', { CiphertextBlob: 'AQIDBA==' }).CiphertextBlob as Uint8Array;
    expect(blob).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(blob.byteOffset).toBe(0);
    expect(blob.buffer.byteLength).toBe(4); // not a view of a pooled Buffer
    expect(decode('Decrypt', { CiphertextBlob: 'AQIDBAU=' }).CiphertextBlob).toEqual(new Uint8Array([1, 2, 3, 4, 5]));
  });

  test('decodes an operation without input to an empty object', () => {
    expect(decodeInput(kmsModel, undefined, { anything: 1 })).toEqual({});
  });
});

describe('parseJsonObject', () => {
  test('reads an empty body as an empty input', () => {
    expect(parseJsonObject('')).toEqual({});
    expect(parseJsonObject('  \n')).toEqual({});
  });

  test.each(['{', 'null', '[]', '"x"', '42', 'true', '\u0000\u00ff'])('fails with SerializationException on %j', (body) => {
    expect(() => parseJsonObject(body)).toThrow(SerializationException);
  });
});

describe('encodeOutput', () => {
  test('writes blobs as base64, dates as epoch seconds with milliseconds, and drops undefined', () => {
    // GIVEN
    const output = {
      KeyId: 'k',
      CiphertextBlob: new Uint8Array([1, 2, 3]),
      Created: new Date('2026-01-01T00:00:00.250Z'),
      Missing: undefined,
      List: [{ At: new Date(1000), Gone: undefined }],
      Nested: { Blob: Buffer.from([255]).subarray(0, 1) },
    };
    // WHEN
    const encoded = JSON.parse(JSON.stringify(encodeOutput(output)));
    // THEN
    expect(encoded).toEqual({ KeyId: 'k', CiphertextBlob: 'AQID', Created: 1767225600.25, List: [{ At: 1 }], Nested: { Blob: '/w==' } });
  });

  test('encodes a view into a larger buffer by its own bytes', () => {
    const backing = new Uint8Array([9, 1, 2, 9]);
    expect(encodeOutput(backing.subarray(1, 3))).toBe('AQI=');
  });
});

describe('outputJson', () => {
  // The answer body is written in one pass; it must be, byte for byte, what JSON.stringify made of the encoded copy.
  const reference = (output: unknown) => JSON.stringify(encodeOutput(output) ?? {});
  const backing = new Uint8Array([9, 1, 2, 3, 9]);
  const withProto = JSON.parse('{"__proto__":{"a":1},"b":2}') as unknown;
  test.each([
    ['an Encrypt', { CiphertextBlob: new Uint8Array(330).fill(7), KeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }],
    ['nothing', undefined],
    ['null', null],
    ['an empty output', {}],
    ['only absent members', { A: undefined, B: null }],
    ['a view into a larger buffer, an empty blob', { Blob: backing.subarray(1, 4), Empty: new Uint8Array(0), Node: Buffer.from([255]) }],
    ['dates, fractional, before 1970, invalid', { A: new Date('2026-01-01T00:00:00.250Z'), B: new Date(-1500), C: new Date(Number.NaN) }],
    ['lists with absent, null, nested and function members', { L: [1, undefined, null, [], [{ X: undefined }], 'two', () => 1, { D: new Date(1000) }], Empty: [] }],
    ['strings that need escaping', { Description: 'quote " back \\ nl \n tab \t ctl \u0001 del \u007f ünï ✓ 😀 lone \ud800 end', '': 'empty name', 'ü"k': 'odd name' }],
    ['integer-like member names', { b: 1, 10: 'ten', 2: 'two', a: { 1: true, z: false } }],
    ['a parsed __proto__ member', withProto],
    ['numbers', { Zero: 0, Negative: -0, Big: 1e21, Small: 5e-7, Fraction: 0.1, Infinite: Number.POSITIVE_INFINITY, NaN: Number.NaN, Bool: true }],
    ['a function and a symbol member (left out)', { F: () => 1, S: Symbol('s'), K: 'kept' }],
    ['a key description', { KeyMetadata: { KeyId: 'k', CreationDate: new Date('2026-02-03T04:05:06.789Z'), Enabled: true, EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'], MultiRegion: false, MultiRegionConfiguration: undefined } }],
  ])('%s', (_what, output) => {
    expect(outputJson(output)).toBe(reference(output));
  });
});

describe('decodeInput on hostile documents', () => {
  test('describes a deeply nested value of the wrong type without overflowing the stack', () => {
    // GIVEN 300 000 levels of nesting where a list of strings is expected
    const depth = 300_000;
    const body = JSON.parse(`{"KeyId":"k","GrantTokens":${'['.repeat(depth)}${']'.repeat(depth)}}`) as Record<string, unknown>;
    // WHEN / THEN
    expect(validationMessage(() => decode('DescribeKey', body))).toBe(
      "1 validation error detected: Value '[[[[[...]]]]]' at 'grantTokens.1.member' failed to satisfy constraint: Member must be of type string",
    );
  });

  test('keeps the echo of a huge value short', () => {
    const message = validationMessage(() => decode('DescribeKey', { KeyId: 'k'.repeat(100_000) }));
    expect(message.length).toBeLessThan(5_000);
    expect(message).toMatch(/at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048$/);
  });
});
