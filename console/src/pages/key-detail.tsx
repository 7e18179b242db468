// One key: general configuration, key material (with a live expiry countdown), aliases and tags.
import { CreateAliasCommand, type RotationsListEntry } from '@aws-sdk/client-kms';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import { useCallback, useEffect, useState } from 'react';
import { loadKeyDetail, type KeyDetail } from '../api';
import { ApiErrorAlert } from '../components/api-error';
import { Countdown } from '../components/countdown';
import { KeyActionsMenu, useKeyActions, type ActionTarget } from '../components/key-actions';
import { KeyStateIndicator } from '../components/key-state';
import { useConsole } from '../context';
import { formatDate, toAliasName } from '../format';
import { hasImportedMaterial, originLabel } from '../key-actions';
import { navigate } from '../router';

export function KeyDetailPage({ keyRef }: { keyRef: string }) {
  const { kms } = useConsole();
  const [detail, setDetail] = useState<KeyDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [selectedMaterial, setSelectedMaterial] = useState<RotationsListEntry | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setDetail(await loadKeyDetail(kms, keyRef));
      setError(null);
    } catch (e) {
      setDetail(null);
      setError(e);
    } finally {
      setLoading(false);
    }
  }, [kms, keyRef]);
  useEffect(() => { void load(); }, [load]);
  useEffect(() => { setSelectedMaterial(null); }, [detail]);

  const { open, dialogs } = useKeyActions(() => void load());

  if (!detail) {
    return (
      <SpaceBetween size="m">
        <Header variant="h1">{keyRef}</Header>
        {loading ? <Spinner size="large" /> : error !== null && <ApiErrorAlert error={error} />}
      </SpaceBetween>
    );
  }

  const key = detail.metadata;
  const keyId = key.KeyId ?? '';
  const aliasNames = detail.aliases.map((a) => a.AliasName ?? '').filter(Boolean).sort();
  const target: ActionTarget = { metadata: key, displayName: aliasNames[0] ?? keyId };

  return (
    <SpaceBetween size="l">
      <Header
        variant="h1"
        description={aliasNames.length ? keyId : undefined}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button iconName="refresh" ariaLabel="Refresh key" loading={loading} onClick={() => void load()} />
            <KeyActionsMenu targets={[target]} onAction={(action) => open(action, [target])} />
          </SpaceBetween>
        }
      >
        {aliasNames[0] ?? keyId}
      </Header>
      {error !== null && <ApiErrorAlert error={error} />}

      <Container header={<Header variant="h2">General configuration</Header>}>
        <KeyValuePairs columns={3} ariaLabel="General configuration" items={[
          { label: 'ARN', value: key.Arn ? <CopyToClipboard variant="inline" textToCopy={key.Arn} copyButtonAriaLabel="Copy ARN"
            copySuccessText="ARN copied" copyErrorText="ARN not copied" /> : '-' },
          { label: 'Key ID', value: keyId },
          { label: 'Status', value: <KeyStateIndicator state={key.KeyState} /> },
          { label: 'Origin', value: originLabel(key.Origin) },
          { label: 'Creation date', value: formatDate(key.CreationDate) },
          { label: 'Description', value: key.Description || '-' },
          { label: 'Key spec', value: key.KeySpec ?? '-' },
          { label: 'Key usage', value: key.KeyUsage ?? '-' },
          ...(key.DeletionDate ? [{ label: 'Scheduled deletion date', value: formatDate(key.DeletionDate) }] : []),
        ]} />
      </Container>

      {key.Origin === 'EXTERNAL' && (
        <KeyMaterialSection detail={detail} onExpired={() => void load()}
          selected={selectedMaterial} onSelect={setSelectedMaterial}
          onDelete={() => open('delete-material', [target], selectedMaterial ? {
            keyMaterialId: selectedMaterial.KeyMaterialId,
            pendingRotation: selectedMaterial.KeyMaterialState?.startsWith('PENDING_') ?? false,
          } : {})} />
      )}

      <AliasesSection detail={detail} onChanged={() => void load()} />

      <Table
        header={<Header variant="h2" counter={`(${detail.tags.length})`}>Tags</Header>}
        items={detail.tags}
        ariaLabels={{ tableLabel: 'Tags' }}
        empty={<Box textAlign="center" color="inherit">No tags</Box>}
        columnDefinitions={[
          { id: 'key', header: 'Tag key', cell: (tag) => tag.TagKey },
          { id: 'value', header: 'Tag value', cell: (tag) => tag.TagValue || '-' },
        ]}
      />
      {dialogs}
    </SpaceBetween>
  );
}

function materialStatus(entry: RotationsListEntry) {
  return entry.ImportState === 'PENDING_IMPORT'
    ? <StatusIndicator type="pending">Pending import</StatusIndicator>
    : <StatusIndicator type="success">Imported</StatusIndicator>;
}

function KeyMaterialSection({ detail, selected, onSelect, onDelete, onExpired }: {
  detail: KeyDetail;
  selected: RotationsListEntry | null;
  onSelect: (entry: RotationsListEntry | null) => void;
  onDelete: () => void;
  onExpired: () => void;
}) {
  const key = detail.metadata;
  const materials = Array.isArray(detail.materials) ? detail.materials : [];
  const imported = hasImportedMaterial(key);
  const expires = key.ExpirationModel === 'KEY_MATERIAL_EXPIRES' && key.ValidTo;
  const canDelete = imported || selected?.ImportState === 'IMPORTED';
  return (
    <Container header={
      <Header variant="h2"
        description="Imported key material: its state, its expiry, and the materials associated with this key."
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button onClick={onDelete} disabled={!canDelete}
              disabledReason="There is no imported key material to delete.">
              {selected ? 'Delete selected key material' : 'Delete key material'}
            </Button>
            <Button onClick={() => navigate({ page: 'import', keyRef: key.KeyId ?? '' })} variant="primary"
              disabled={key.KeyState === 'PendingDeletion'} disabledReason="A key pending deletion cannot receive key material.">
              Import key material
            </Button>
          </SpaceBetween>
        }
      >
        Key material
      </Header>
    }>
      <SpaceBetween size="l">
        <KeyValuePairs columns={3} ariaLabel="Key material" items={[
          { label: 'Key material state', value: imported
            ? <StatusIndicator type="success">Imported</StatusIndicator>
            : <StatusIndicator type="pending">Pending import</StatusIndicator> },
          { label: 'Current key material ID', value: key.CurrentKeyMaterialId
            ? <Box variant="code" fontSize="body-s">{key.CurrentKeyMaterialId}</Box> : '-' },
          { label: 'Expiration model', value: key.ExpirationModel === 'KEY_MATERIAL_EXPIRES' ? 'Key material expires'
            : key.ExpirationModel === 'KEY_MATERIAL_DOES_NOT_EXPIRE' ? 'Key material does not expire' : '-' },
          { label: 'Expiration date (ValidTo)', value: expires
            ? <SpaceBetween size="xxxs"><span>{formatDate(key.ValidTo)}</span><Countdown to={key.ValidTo!} onExpired={onExpired} /></SpaceBetween>
            : '-' },
        ]} />
        {detail.materials !== undefined && !Array.isArray(detail.materials) && (
          <ApiErrorAlert error={detail.materials.error} header="Could not list the key materials" />
        )}
        {materials.length > 1 && (
          <Table
            variant="embedded"
            header={<Header variant="h3" counter={`(${materials.length})`}
              description="Select a material to delete that one instead of the current one.">Key materials</Header>}
            items={materials}
            trackBy={(m) => m.KeyMaterialId ?? ''}
            selectionType="single"
            selectedItems={selected ? [selected] : []}
            onSelectionChange={({ detail: d }) => onSelect(d.selectedItems[0] ?? null)}
            ariaLabels={{
              tableLabel: 'Key materials',
              selectionGroupLabel: 'Key material selection',
              itemSelectionLabel: (_, m) => `Select key material ${m.KeyMaterialId}`,
            }}
            columnDefinitions={[
              { id: 'id', header: 'Key material ID', cell: (m) => <Box variant="code" fontSize="body-s">{m.KeyMaterialId}</Box> },
              { id: 'state', header: 'Material state', cell: (m) => m.KeyMaterialState ?? '-' },
              { id: 'import', header: 'Import state', cell: materialStatus },
              { id: 'expiry', header: 'Expires', cell: (m) => m.ExpirationModel === 'KEY_MATERIAL_DOES_NOT_EXPIRE' ? 'Never' : formatDate(m.ValidTo) },
              { id: 'rotated', header: 'Rotation date', cell: (m) => formatDate(m.RotationDate) },
              { id: 'description', header: 'Description', cell: (m) => m.KeyMaterialDescription || '-' },
            ]}
          />
        )}
      </SpaceBetween>
    </Container>
  );
}

function AliasesSection({ detail, onChanged }: { detail: KeyDetail; onChanged: () => void }) {
  const { kms, notify } = useConsole();
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    setBusy(true);
    const aliasName = toAliasName(name);
    try {
      await kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: detail.metadata.KeyId }));
      notify({ type: 'success', header: `Alias ${aliasName} created` });
      setCreating(false);
      setName('');
      setError(null);
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Table
        header={<Header variant="h2" counter={`(${detail.aliases.length})`}
          actions={<Button onClick={() => { setCreating(true); setError(null); }}>Create alias</Button>}>Aliases</Header>}
        items={detail.aliases}
        ariaLabels={{ tableLabel: 'Aliases' }}
        empty={<Box textAlign="center" color="inherit">No aliases</Box>}
        columnDefinitions={[
          { id: 'name', header: 'Alias name', cell: (a) => a.AliasName },
          { id: 'arn', header: 'Alias ARN', cell: (a) => a.AliasArn ?? '-' },
        ]}
      />
      {creating && (
        <Modal visible header="Create alias" onDismiss={() => setCreating(false)} footer={
          <Box float="right">
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" onClick={() => setCreating(false)}>Cancel</Button>
              <Button variant="primary" loading={busy} disabled={!name.trim()} onClick={() => void submit()}>Create alias</Button>
            </SpaceBetween>
          </Box>
        }>
          <SpaceBetween size="m">
            <FormField label="Alias name" description='The "alias/" prefix is added when you leave it out.'>
              <Input value={name} onChange={({ detail: d }) => setName(d.value)} placeholder="alias/my-key" />
            </FormField>
            {error !== null && <ApiErrorAlert error={error} />}
          </SpaceBetween>
        </Modal>
      )}
    </>
  );
}
