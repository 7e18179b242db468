// Imported key material: its state, its expiry (with a live countdown) and every material associated with the key.
import type { RotationsListEntry } from '@aws-sdk/client-kms';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import type { KeyDetail } from '../api';
import { ApiErrorAlert } from '../components/api-error';
import { Countdown } from '../components/countdown';
import { formatDate } from '../format';
import { hasImportedMaterial } from '../key-actions';
import { navigate } from '../router';

function materialStatus(entry: RotationsListEntry) {
  return entry.ImportState === 'PENDING_IMPORT'
    ? <StatusIndicator type="pending">Pending import</StatusIndicator>
    : <StatusIndicator type="success">Imported</StatusIndicator>;
}

export function KeyMaterialTab({ detail, selected, onSelect, onDelete, onExpired }: {
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

