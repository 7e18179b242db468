// Key rotation: automatic rotation (on/off, period, next date), Rotate now (on-demand), and the rotations so far.
import {
  DisableKeyRotationCommand, EnableKeyRotationCommand, GetKeyRotationStatusCommand, ListKeyRotationsCommand,
  RotateKeyOnDemandCommand, type GetKeyRotationStatusResponse, type KeyMetadata, type RotationsListEntry,
} from '@aws-sdk/client-kms';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import Toggle from '@cloudscape-design/components/toggle';
import { useCallback, useState } from 'react';
import { allPages } from '../api';
import { ApiErrorAlert } from '../components/api-error';
import { CallDialog } from '../components/call-dialog';
import { useConsole } from '../context';
import { formatDate } from '../format';
import { useLoad } from '../use-load';

/** On-demand rotations KMS allows per key (D6). */
const ON_DEMAND_LIMIT = 25;
const DEFAULT_PERIOD_DAYS = 365;

interface RotationInfo {
  status: GetKeyRotationStatusResponse | { error: unknown };
  rotations: RotationsListEntry[];
}

const ROTATION_TYPE: Record<string, string> = { AUTOMATIC: 'Automatic', ON_DEMAND: 'On demand' };

export function RotationTab({ metadata, onChanged }: { metadata: KeyMetadata; onChanged: () => void }) {
  const { kms } = useConsole();
  const keyId = metadata.KeyId ?? '';
  const load = useCallback(async (): Promise<RotationInfo> => {
    const [status, rotations] = await Promise.all([
      kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId })).catch((error: unknown) => ({ error })),
      allPages(async (Marker) => {
        const page = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, Marker, Limit: 100 }));
        return { ...page, items: page.Rotations };
      }),
    ]);
    // Newest first, as the AWS console lists them.
    rotations.sort((a, b) => (b.RotationDate?.getTime() ?? 0) - (a.RotationDate?.getTime() ?? 0));
    return { status, rotations };
  }, [kms, keyId]);
  const info = useLoad(load);
  const [dialog, setDialog] = useState<'automatic' | 'rotate' | null>(null);
  const changed = () => { void info.reload(); onChanged(); };

  const status = info.value?.status;
  const rotations = info.value?.rotations ?? [];
  const onDemandUsed = rotations.filter((r) => r.RotationType === 'ON_DEMAND').length;
  const external = metadata.Origin === 'EXTERNAL';

  return (
    <SpaceBetween size="l">
      {info.error !== null && <ApiErrorAlert error={info.error} header="Could not read the key rotations" />}
      <Container header={
        <Header variant="h2" description="KMS rotates the key material of the key on a schedule; ciphertexts under earlier material still decrypt."
          actions={external ? undefined : <Button onClick={() => setDialog('automatic')} disabled={!status || 'error' in status}>Edit</Button>}>
          Automatic key rotation
        </Header>
      }>
        {external ? (
          <Box>Automatic rotation is not available for keys with imported key material. Rotate on demand instead: import
            new key material with Import type <Box variant="code">NEW_KEY_MATERIAL</Box>, then choose <strong>Rotate now</strong>.</Box>
        ) : status && 'error' in status ? (
          <ApiErrorAlert error={status.error} header="Could not read the rotation status" />
        ) : (
          <KeyValuePairs columns={3} ariaLabel="Automatic key rotation" items={[
            { label: 'Automatic rotation', value: status?.KeyRotationEnabled
              ? <StatusIndicator type="success">Enabled</StatusIndicator> : <StatusIndicator type="stopped">Disabled</StatusIndicator> },
            { label: 'Rotation period', value: status?.RotationPeriodInDays ? `${status.RotationPeriodInDays} days` : '-' },
            { label: 'Next rotation date', value: formatDate(status?.NextRotationDate) },
          ]} />
        )}
      </Container>

      <Container header={
        <Header variant="h2"
          description={external
            ? 'The key material pending rotation (imported with Import type NEW_KEY_MATERIAL) becomes the current key material.'
            : 'KMS creates new key material for the key now, without changing the automatic rotation schedule.'}
          actions={<Button onClick={() => setDialog('rotate')}>Rotate now</Button>}>
          On-demand key rotation
        </Header>
      }>
        <KeyValuePairs columns={3} ariaLabel="On-demand key rotation" items={[
          { label: 'On-demand rotations', value: `${onDemandUsed} of ${ON_DEMAND_LIMIT} used` },
          { label: 'On-demand rotation in progress since', value: status && !('error' in status) ? formatDate(status.OnDemandRotationStartDate) : '-' },
        ]} />
      </Container>

      <Table
        header={<Header variant="h2" counter={`(${rotations.length})`}
          actions={<Button iconName="refresh" ariaLabel="Refresh key rotations" loading={info.loading} onClick={() => void info.reload()} />}>
          Key rotations</Header>}
        items={rotations}
        loading={info.loading && !info.value}
        loadingText="Loading key rotations"
        trackBy={(r) => r.KeyMaterialId ?? ''}
        ariaLabels={{ tableLabel: 'Key rotations' }}
        empty={<Box textAlign="center" color="inherit">This key has not been rotated.</Box>}
        columnDefinitions={[
          { id: 'date', header: 'Rotation date', cell: (r) => formatDate(r.RotationDate) },
          { id: 'type', header: 'Rotation type', cell: (r) => ROTATION_TYPE[r.RotationType ?? ''] ?? r.RotationType ?? '-' },
          { id: 'material', header: 'Key material ID', cell: (r) => <Box variant="code" fontSize="body-s">{r.KeyMaterialId}</Box> },
          { id: 'state', header: 'Key material state', cell: (r) => r.KeyMaterialState ?? '-' },
        ]}
      />

      {dialog === 'automatic' && status && !('error' in status) && (
        <AutomaticRotationDialog keyId={keyId} status={status} onClose={() => setDialog(null)} onChanged={changed} />
      )}
      {dialog === 'rotate' && (
        <RotateNowDialog keyId={keyId} external={external} used={onDemandUsed} onClose={() => setDialog(null)} onChanged={changed} />
      )}
    </SpaceBetween>
  );
}

function AutomaticRotationDialog({ keyId, status, onClose, onChanged }: {
  keyId: string; status: GetKeyRotationStatusResponse; onClose: () => void; onChanged: () => void;
}) {
  const { kms, notify } = useConsole();
  const [enabled, setEnabled] = useState(status.KeyRotationEnabled ?? false);
  const [days, setDays] = useState(String(status.RotationPeriodInDays ?? DEFAULT_PERIOD_DAYS));
  const whole = /^\d+$/.test(days.trim());
  const save = async () => {
    if (enabled) await kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: Number(days.trim()) }));
    else await kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    notify({ type: 'success', header: enabled ? `Automatic rotation enabled, every ${days.trim()} days` : 'Automatic rotation disabled' });
  };
  return (
    <CallDialog header="Automatic key rotation" confirmText="Save" disabled={enabled && !whole} call={save} onClose={onClose} onChanged={onChanged}>
      <Toggle checked={enabled} onChange={({ detail }) => setEnabled(detail.checked)}>Rotate this key automatically</Toggle>
      {enabled && (
        <FormField label="Rotation period (in days)" constraintText="A whole number of days from 90 to 2560; 365 by default."
          errorText={whole ? undefined : 'Enter a whole number of days.'}>
          <Input type="number" inputMode="numeric" value={days} onChange={({ detail }) => setDays(detail.value)} />
        </FormField>
      )}
    </CallDialog>
  );
}

function RotateNowDialog({ keyId, external, used, onClose, onChanged }: {
  keyId: string; external: boolean; used: number; onClose: () => void; onChanged: () => void;
}) {
  const { kms, notify } = useConsole();
  const rotate = async () => {
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    notify({ type: 'success', header: 'Key rotated', content: 'New key material is current; earlier material still decrypts its ciphertexts.' });
  };
  return (
    <CallDialog header="Rotate key now" confirmText="Rotate key" call={rotate} onClose={onClose} onChanged={onChanged}>
      <Alert type="info">
        {external
          ? 'The imported key material pending rotation becomes current: new encryptions use it. '
          : 'KMS creates new key material and makes it current: new encryptions use it. '}
        Ciphertexts under earlier key material still decrypt. A key can be rotated on demand {ON_DEMAND_LIMIT} times;
        this one has been {used} {used === 1 ? 'time' : 'times'}.
      </Alert>
    </CallDialog>
  );
}
