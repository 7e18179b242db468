// Key policy: the document as GetKeyPolicy returns it (byte for byte), and Edit, which sends PutKeyPolicy and shows
// a refusal (MalformedPolicyDocumentException, LimitExceededException, …) exactly as the API states it.
import { GetKeyPolicyCommand, ListKeyPoliciesCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import Textarea from '@cloudscape-design/components/textarea';
import { useCallback, useState } from 'react';
import { ApiErrorAlert } from '../components/api-error';
import { useConsole } from '../context';
import { useLoad } from '../use-load';

const POLICY_NAME = 'default';

export function PolicyTab({ keyId }: { keyId: string }) {
  const { kms, notify } = useConsole();
  const load = useCallback(async () => {
    const [policy, names] = await Promise.all([
      kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: POLICY_NAME })),
      kms.send(new ListKeyPoliciesCommand({ KeyId: keyId })),
    ]);
    return { document: policy.Policy ?? '', names: names.PolicyNames ?? [] };
  }, [kms, keyId]);
  const policy = useLoad(load);
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const save = async () => {
    if (draft === null) return;
    setBusy(true);
    setError(null);
    try {
      await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: POLICY_NAME, Policy: draft }));
      notify({ type: 'success', header: 'Key policy saved' });
      setDraft(null);
      await policy.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const editing = draft !== null;
  return (
    <Container header={
      <Header variant="h2"
        description="Who may use and manage this key. In open mode the service checks nothing."
        actions={editing ? (
          <SpaceBetween direction="horizontal" size="xs">
            <Button onClick={() => { setDraft(null); setError(null); }} disabled={busy}>Cancel</Button>
            <Button variant="primary" loading={busy} onClick={() => void save()}>Save changes</Button>
          </SpaceBetween>
        ) : (
          <Button disabled={policy.value === undefined} onClick={() => setDraft(policy.value?.document ?? '')}>Edit</Button>
        )}>
        Key policy
      </Header>
    }>
      <SpaceBetween size="m">
        {policy.error !== null && <ApiErrorAlert error={policy.error} header="Could not read the key policy" />}
        {policy.value === undefined ? (policy.loading && <Spinner />) : editing ? (
          <FormField label="Policy document (JSON)" stretch
            description="Saved as you write it; the service checks the document and answers as AWS KMS does.">
            <Textarea value={draft} onChange={({ detail }) => setDraft(detail.value)} rows={24} spellcheck={false}
              ariaLabel="Policy document" />
          </FormField>
        ) : (
          <>
            <Box variant="small">Policy name: {policy.value.names.join(', ') || POLICY_NAME}</Box>
            <Box variant="code">
              <pre aria-label="Key policy document" style={{ margin: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                {policy.value.document}
              </pre>
            </Box>
          </>
        )}
        {error !== null && <ApiErrorAlert error={error} />}
      </SpaceBetween>
    </Container>
  );
}
