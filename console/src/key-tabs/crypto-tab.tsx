// Cryptographic configuration: what kind of key this is and which algorithms it takes, as DescribeKey lists them.
import type { KeyMetadata } from '@aws-sdk/client-kms';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import { originLabel } from '../key-actions';
import { KEY_USAGE_LABELS, keyTypeOf } from '../key-specs';

function list(values: readonly string[] | undefined): string {
  return values?.length ? values.join(', ') : '-';
}

export function CryptoTab({ metadata: key }: { metadata: KeyMetadata }) {
  const algorithms = [
    ...(key.EncryptionAlgorithms ? [{ label: 'Encryption algorithms', value: list(key.EncryptionAlgorithms) }] : []),
    ...(key.SigningAlgorithms ? [{ label: 'Signing algorithms', value: list(key.SigningAlgorithms) }] : []),
    ...(key.MacAlgorithms ? [{ label: 'MAC algorithms', value: list(key.MacAlgorithms) }] : []),
    ...(key.KeyAgreementAlgorithms ? [{ label: 'Key agreement algorithms', value: list(key.KeyAgreementAlgorithms) }] : []),
  ];
  return (
    <Container header={<Header variant="h2">Cryptographic configuration</Header>}>
      <KeyValuePairs columns={3} ariaLabel="Cryptographic configuration" items={[
        { label: 'Key type', value: keyTypeOf(key.KeySpec) === 'SYMMETRIC' ? 'Symmetric' : 'Asymmetric' },
        { label: 'Origin', value: originLabel(key.Origin) },
        { label: 'Key spec', value: key.KeySpec ?? '-' },
        { label: 'Key usage', value: key.KeyUsage ? `${KEY_USAGE_LABELS[key.KeyUsage] ?? key.KeyUsage} (${key.KeyUsage})` : '-' },
        ...algorithms,
      ]} />
    </Container>
  );
}
