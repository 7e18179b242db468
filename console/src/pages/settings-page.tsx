// Where the KMS API is and which credentials sign the requests (kept in this browser's localStorage).
import { ListKeysCommand } from '@aws-sdk/client-kms';
import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState, type FormEvent } from 'react';
import { callerAccount } from '../api';
import { makeCloudTrailClient, makeKmsClient, useConsole } from '../context';
import { ApiErrorAlert } from '../components/api-error';
import { DEFAULT_SETTINGS, defaultEndpoint, isOtherOrigin, type Settings } from '../settings';

export function SettingsPage() {
  const { settings, updateSettings, notify } = useConsole();
  const [draft, setDraft] = useState<Settings>(settings);
  const [check, setCheck] = useState<{ ok: true; text: string } | { ok: false; error: unknown } | null>(null);
  const [checking, setChecking] = useState(false);
  const field = (name: keyof Settings) => ({
    value: draft[name],
    onChange: ({ detail }: { detail: { value: string } }) => { setDraft({ ...draft, [name]: detail.value }); setCheck(null); },
  });

  const save = (event?: FormEvent) => {
    event?.preventDefault();
    updateSettings(draft);
    notify({ type: 'success', header: 'Settings saved' });
  };

  const testConnection = async () => {
    setChecking(true);
    try {
      const kms = makeKmsClient(draft);
      const out = await kms.send(new ListKeysCommand({ Limit: 1 }));
      const account = await callerAccount(kms, makeCloudTrailClient(draft, kms));
      setCheck({ ok: true, text: `Connected: ListKeys answered for account ${account} in ${draft.region}${out.Keys?.length ? '' : ' (no keys there yet)'}.` });
    } catch (e) {
      setCheck({ ok: false, error: e });
    } finally {
      setChecking(false);
    }
  };

  return (
    <form onSubmit={save}>
      <Form
        header={<Header variant="h1" description="The console calls the KMS API from this browser with these settings. They are stored in this browser only.">Settings</Header>}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button formAction="none" onClick={() => { setDraft(DEFAULT_SETTINGS); setCheck(null); }}>Reset to defaults</Button>
            <Button formAction="none" loading={checking} onClick={() => void testConnection()}>Test connection</Button>
            <Button variant="primary" formAction="submit">Save</Button>
          </SpaceBetween>
        }
      >
        <SpaceBetween size="l">
          <Container header={<Header variant="h2">Endpoint and region</Header>}>
            <SpaceBetween size="l">
              <FormField
                label="KMS endpoint"
                description={`Leave empty to use the service that serves this page (${defaultEndpoint()}).`}
                warningText={draft.endpoint.trim() && isOtherOrigin(draft.endpoint.trim())
                  ? `The console can only call its own origin (${window.location.origin}): its Content-Security-Policy refuses any other.`
                  : undefined}
              >
                <Input {...field('endpoint')} placeholder={defaultEndpoint()} type="url" />
              </FormField>
              <FormField label="Region" description="Keys belong to one account and one region.">
                <Input {...field('region')} placeholder="us-east-1" />
              </FormField>
            </SpaceBetween>
          </Container>
          <Container header={<Header variant="h2" description="Requests are signed with AWS Signature Version 4. The embedded server in open mode accepts any credentials; a 12-digit access key ID selects that account.">Credentials</Header>}>
            <SpaceBetween size="l">
              <FormField label="Access key ID"><Input {...field('accessKeyId')} autoComplete={false} /></FormField>
              <FormField label="Secret access key"><Input {...field('secretAccessKey')} type="password" autoComplete={false} /></FormField>
              <FormField label={<span>Session token <i>- optional</i></span>}><Input {...field('sessionToken')} type="password" autoComplete={false} /></FormField>
            </SpaceBetween>
          </Container>
          {check?.ok === true && <Alert type="success">{check.text}</Alert>}
          {check?.ok === false && <ApiErrorAlert error={check.error} header="The connection test failed" />}
        </SpaceBetween>
      </Form>
    </form>
  );
}
