// Aliases of a key: create one, or select some and delete them (DeleteAlias; the key itself is unchanged).
import { CreateAliasCommand, DeleteAliasCommand, type AliasListEntry } from '@aws-sdk/client-kms';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useState } from 'react';
import { ApiErrorAlert } from '../components/api-error';
import { CallDialog } from '../components/call-dialog';
import { useConsole } from '../context';
import { toAliasName } from '../format';

export function AliasesTab({ keyId, aliases, onChanged }: { keyId: string; aliases: AliasListEntry[]; onChanged: () => void }) {
  const [dialog, setDialog] = useState<'create' | 'delete' | null>(null);
  const [selected, setSelected] = useState<AliasListEntry[]>([]);
  // Selections of aliases that are gone after a reload are dropped.
  const present = selected.filter((s) => aliases.some((a) => a.AliasName === s.AliasName));
  return (
    <>
      <Table
        header={<Header variant="h2" counter={`(${aliases.length})`} actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button disabled={present.length === 0} disabledReason="Select one or more aliases."
              onClick={() => setDialog('delete')}>Delete</Button>
            <Button onClick={() => setDialog('create')}>Create alias</Button>
          </SpaceBetween>
        }>Aliases</Header>}
        items={aliases}
        trackBy={(a) => a.AliasName ?? ''}
        selectionType="multi"
        selectedItems={present}
        onSelectionChange={({ detail }) => setSelected(detail.selectedItems)}
        ariaLabels={{
          tableLabel: 'Aliases',
          selectionGroupLabel: 'Alias selection',
          allItemsSelectionLabel: () => 'Select all aliases',
          itemSelectionLabel: (_, a) => `Select alias ${a.AliasName}`,
        }}
        empty={<Box textAlign="center" color="inherit">No aliases</Box>}
        columnDefinitions={[
          { id: 'name', header: 'Alias name', cell: (a) => a.AliasName },
          { id: 'arn', header: 'Alias ARN', cell: (a) => a.AliasArn ?? '-' },
        ]}
      />
      {dialog === 'create' && <CreateAliasDialog keyId={keyId} onClose={() => setDialog(null)} onChanged={onChanged} />}
      {dialog === 'delete' && (
        <DeleteAliasesDialog aliases={present} onClose={() => setDialog(null)}
          onChanged={() => { setSelected([]); onChanged(); }} />
      )}
    </>
  );
}

function CreateAliasDialog({ keyId, onClose, onChanged }: { keyId: string; onClose: () => void; onChanged: () => void }) {
  const { kms, notify } = useConsole();
  const [name, setName] = useState('');
  const create = async () => {
    const aliasName = toAliasName(name);
    await kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyId }));
    notify({ type: 'success', header: `Alias ${aliasName} created` });
  };
  return (
    <CallDialog header="Create alias" confirmText="Create alias" disabled={!name.trim()} call={create} onClose={onClose} onChanged={onChanged}>
      <FormField label="Alias name" description='The "alias/" prefix is added when you leave it out.'>
        <Input value={name} onChange={({ detail }) => setName(detail.value)} placeholder="alias/my-key" />
      </FormField>
    </CallDialog>
  );
}

function DeleteAliasesDialog({ aliases, onClose, onChanged }: { aliases: AliasListEntry[]; onClose: () => void; onChanged: () => void }) {
  const { kms, notify } = useConsole();
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState<{ name: string; error: unknown }[]>([]);
  const names = aliases.map((a) => a.AliasName ?? '');
  const submit = async () => {
    setBusy(true);
    const results = await Promise.all(names.map(async (name) => {
      try {
        await kms.send(new DeleteAliasCommand({ AliasName: name }));
        return { name };
      } catch (error) {
        return { name, error };
      }
    }));
    setBusy(false);
    const failed = results.filter((r): r is { name: string; error: unknown } => 'error' in r);
    const deleted = results.filter((r) => !('error' in r)).map((r) => r.name);
    if (deleted.length) notify({ type: 'success', header: `Deleted ${deleted.length === 1 ? `alias ${deleted[0]}` : `${deleted.length} aliases`}` });
    onChanged();
    if (failed.length) setFailures(failed);
    else onClose();
  };
  return (
    <Modal visible header={names.length === 1 ? 'Delete alias' : `Delete ${names.length} aliases`} onDismiss={() => { if (!busy) onClose(); }} footer={
      <Box float="right">
        <SpaceBetween direction="horizontal" size="xs">
          <Button variant="link" onClick={onClose} disabled={busy}>Cancel</Button>
          <Button variant="primary" loading={busy} disabled={failures.length > 0} onClick={() => void submit()}>Delete</Button>
        </SpaceBetween>
      </Box>
    }>
      <SpaceBetween size="m">
        <Alert type="warning">
          Applications that name the key by {names.length === 1 ? 'this alias' : 'these aliases'} stop finding it.
          The key itself, its key material and its other aliases are not changed.
        </Alert>
        <ul aria-label="Aliases to delete">
          {names.map((n) => <li key={n}><Box variant="code">{n}</Box></li>)}
        </ul>
        {failures.map((f) => (
          <ApiErrorAlert key={f.name} error={f.error} header={`Alias ${f.name} was not deleted`} />
        ))}
      </SpaceBetween>
    </Modal>
  );
}
