// Create a symmetric key whose material KMS generates, or an External key that waits for imported material.
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import Tiles from '@cloudscape-design/components/tiles';
import { useState, type FormEvent } from 'react';
import { useConsole } from '../context';
import { apiErrorLine, toAliasName } from '../format';
import { href, navigate } from '../router';

type Origin = 'AWS_KMS' | 'EXTERNAL';

export function CreateKeyPage() {
  const { kms, notify } = useConsole();
  const [origin, setOrigin] = useState<Origin>('EXTERNAL');
  const [alias, setAlias] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    let keyId: string | undefined;
    try {
      const created = await kms.send(new CreateKeyCommand({
        Origin: origin, Description: description, KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT',
      }));
      keyId = created.KeyMetadata?.KeyId;
      if (!keyId) throw new Error('CreateKey returned no key ID');
      const aliasName = alias.trim() ? toAliasName(alias) : undefined;
      if (aliasName) await kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyId }));
      notify({ type: 'success', header: `Key ${aliasName ?? keyId} created`,
        content: origin === 'EXTERNAL' ? 'Its state is Pending import until you import key material.' : undefined });
      navigate(origin === 'EXTERNAL' ? { page: 'import', keyRef: keyId } : { page: 'key', keyRef: keyId });
    } catch (e) {
      // The key may exist already when only the alias failed: say so rather than hide it.
      if (keyId) notify({ type: 'info', header: `Key ${keyId} was created, but its alias was not` });
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)}>
      <Form
        header={<Header variant="h1" description="A symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT).">Create key</Header>}
        errorText={error !== null ? apiErrorLine(error) : undefined}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" href={href({ page: 'keys' })}>Cancel</Button>
            <Button variant="primary" formAction="submit" loading={busy}>Create key</Button>
          </SpaceBetween>
        }
      >
        <Container header={<Header variant="h2">Key configuration</Header>}>
          <SpaceBetween size="l">
            <FormField label="Key material origin">
              <Tiles value={origin} onChange={({ detail }) => setOrigin(detail.value as Origin)} ariaLabel="Key material origin" items={[
                { value: 'AWS_KMS', label: 'KMS', description: 'The service generates the key material.' },
                { value: 'EXTERNAL', label: 'External (Import key material)',
                  description: 'You import your own key material. The key stays Pending import until you do.' },
              ]} />
            </FormField>
            <FormField label="Alias" description='Optional. The "alias/" prefix is added when you leave it out.'>
              <Input value={alias} onChange={({ detail }) => setAlias(detail.value)} placeholder="alias/my-imported-key" />
            </FormField>
            <FormField label={<span>Description <Box variant="span" color="text-body-secondary">- optional</Box></span>}>
              <Textarea value={description} onChange={({ detail }) => setDescription(detail.value)} />
            </FormField>
          </SpaceBetween>
        </Container>
      </Form>
    </form>
  );
}
