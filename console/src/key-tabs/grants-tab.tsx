// Grants on a key (ListGrants): grantee, operations, constraints, retiring principal; select one to revoke it.
import { ListGrantsCommand, RevokeGrantCommand, type GrantConstraints, type GrantListEntry } from '@aws-sdk/client-kms';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useCallback, useState } from 'react';
import { allPages } from '../api';
import { ApiErrorAlert } from '../components/api-error';
import { CallDialog } from '../components/call-dialog';
import { useConsole } from '../context';
import { formatDate } from '../format';
import { useLoad } from '../use-load';

function constraintText(constraints: GrantConstraints | undefined): string {
  if (!constraints) return '-';
  const pairs = (label: string, context: Record<string, string> | undefined) =>
    context ? [`${label}: ${Object.entries(context).map(([k, v]) => `${k}=${v}`).join(', ')}`] : [];
  return [...pairs('Context equals', constraints.EncryptionContextEquals), ...pairs('Context includes', constraints.EncryptionContextSubset)].join('; ') || '-';
}

export function GrantsTab({ keyId }: { keyId: string }) {
  const { kms } = useConsole();
  const load = useCallback(() => allPages(async (Marker) => {
    const page = await kms.send(new ListGrantsCommand({ KeyId: keyId, Marker, Limit: 100 }));
    return { ...page, items: page.Grants };
  }), [kms, keyId]);
  const grants = useLoad(load);
  const [selected, setSelected] = useState<GrantListEntry | null>(null);
  const [revoking, setRevoking] = useState(false);
  const items = grants.value ?? [];
  const present = selected && items.some((g) => g.GrantId === selected.GrantId) ? selected : null;
  return (
    <>
      {grants.error !== null && <ApiErrorAlert error={grants.error} header="Could not list the grants" />}
      <Table
        header={<Header variant="h2" counter={`(${items.length})`}
          description="Grants let a principal use the key for some operations, alongside the key policy."
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button iconName="refresh" ariaLabel="Refresh grants" loading={grants.loading} onClick={() => void grants.reload()} />
              <Button disabled={!present} disabledReason="Select a grant." onClick={() => setRevoking(true)}>Revoke grant</Button>
            </SpaceBetween>
          }>Grants</Header>}
        items={items}
        loading={grants.loading && grants.value === undefined}
        loadingText="Loading grants"
        trackBy={(g) => g.GrantId ?? ''}
        selectionType="single"
        selectedItems={present ? [present] : []}
        onSelectionChange={({ detail }) => setSelected(detail.selectedItems[0] ?? null)}
        ariaLabels={{
          tableLabel: 'Grants',
          selectionGroupLabel: 'Grant selection',
          itemSelectionLabel: (_, g) => `Select grant ${g.Name ?? g.GrantId}`,
        }}
        empty={<Box textAlign="center" color="inherit">No grants</Box>}
        wrapLines
        columnDefinitions={[
          { id: 'id', header: 'Grant ID', cell: (g) => <Box variant="code" fontSize="body-s">{g.GrantId}</Box> },
          { id: 'name', header: 'Name', cell: (g) => g.Name ?? '-' },
          { id: 'grantee', header: 'Grantee principal', cell: (g) => g.GranteePrincipal ?? '-' },
          { id: 'operations', header: 'Operations', cell: (g) => g.Operations?.join(', ') ?? '-' },
          { id: 'constraints', header: 'Constraints', cell: (g) => constraintText(g.Constraints) },
          { id: 'retiring', header: 'Retiring principal', cell: (g) => g.RetiringPrincipal ?? '-' },
          { id: 'created', header: 'Creation date', cell: (g) => formatDate(g.CreationDate) },
        ]}
      />
      {revoking && present && (
        <RevokeDialog keyId={keyId} grant={present} onClose={() => setRevoking(false)}
          onChanged={() => { setSelected(null); void grants.reload(); }} />
      )}
    </>
  );
}

function RevokeDialog({ keyId, grant, onClose, onChanged }: { keyId: string; grant: GrantListEntry; onClose: () => void; onChanged: () => void }) {
  const { kms, notify } = useConsole();
  const revoke = async () => {
    await kms.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: grant.GrantId }));
    notify({ type: 'success', header: `Grant ${grant.Name ?? grant.GrantId} revoked` });
  };
  return (
    <CallDialog header="Revoke grant" confirmText="Revoke grant" call={revoke} onClose={onClose} onChanged={onChanged}>
      <Box>{grant.GranteePrincipal} can no longer use this key for {grant.Operations?.join(', ')} through this grant.</Box>
      <Box>Grant ID: <Box variant="code">{grant.GrantId}</Box></Box>
    </CallDialog>
  );
}
