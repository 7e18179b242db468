// The public key of an asymmetric key (GetPublicKey), as PEM: copy it, or download it as a .pem file.
import { GetPublicKeyCommand } from '@aws-sdk/client-kms';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import { useCallback } from 'react';
import { ApiErrorAlert } from '../components/api-error';
import { useConsole } from '../context';
import { useLoad } from '../use-load';
import { downloadBytes, publicKeyPem } from '../wrap';

export function PublicKeyTab({ keyId, fileName }: { keyId: string; fileName: string }) {
  const { kms } = useConsole();
  const load = useCallback(async () => {
    const out = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
    if (!out.PublicKey) throw new Error('GetPublicKey returned no public key');
    return { ...out, pem: publicKeyPem(out.PublicKey) };
  }, [kms, keyId]);
  const publicKey = useLoad(load);
  const value = publicKey.value;
  return (
    <Container header={
      <Header variant="h2" description="DER SubjectPublicKeyInfo (RFC 5280), shown as PEM. Anyone may have it: it verifies signatures and encrypts for this key."
        actions={value && (
          <SpaceBetween direction="horizontal" size="xs">
            <CopyToClipboard variant="button" textToCopy={value.pem} copyButtonText="Copy"
              copySuccessText="Public key copied" copyErrorText="Public key not copied" />
            <Button iconName="download" onClick={() => downloadBytes(new TextEncoder().encode(value.pem), `${fileName}.pem`)}>Download</Button>
          </SpaceBetween>
        )}>
        Public key
      </Header>
    }>
      <SpaceBetween size="m">
        {publicKey.error !== null && <ApiErrorAlert error={publicKey.error} header="Could not get the public key" />}
        {value ? (
          <>
            <KeyValuePairs columns={3} ariaLabel="Public key" items={[
              { label: 'Key spec', value: value.KeySpec ?? '-' },
              { label: 'Key usage', value: value.KeyUsage ?? '-' },
              { label: 'Algorithms', value: [...value.EncryptionAlgorithms ?? [], ...value.SigningAlgorithms ?? [], ...value.KeyAgreementAlgorithms ?? []].join(', ') || '-' },
            ]} />
            <Box variant="code"><pre aria-label="Public key (PEM)" style={{ margin: 0 }}>{value.pem}</pre></Box>
          </>
        ) : publicKey.loading && <Spinner />}
      </SpaceBetween>
    </Container>
  );
}
