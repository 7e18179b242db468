// Key actions: the menu, its confirmation dialogs, and running the chosen operation on the selected keys.
import {
  CancelKeyDeletionCommand, DeleteImportedKeyMaterialCommand, DisableKeyCommand, EnableKeyCommand,
  ScheduleKeyDeletionCommand, type KeyMetadata, type KMSClient,
} from '@aws-sdk/client-kms';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import ButtonDropdown from '@cloudscape-design/components/button-dropdown';
import Checkbox from '@cloudscape-design/components/checkbox';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useCallback, useState, type ReactNode } from 'react';
import { useConsole } from '../context';
import { DialogFooter } from './call-dialog';
import { apiErrorLine, formatDate } from '../format';
import { allowedFor, KEY_ACTION_LABELS, type KeyAction } from '../key-actions';

/** A key as the actions see it: its metadata and a name to show (first alias, else key ID). */
export interface ActionTarget {
  metadata: KeyMetadata;
  displayName: string;
}

interface RunOptions {
  /** Delete key material: one specific material instead of the current one. */
  keyMaterialId?: string;
  /** Delete key material: that material is pending rotation, so the key state does not change. */
  pendingRotation?: boolean;
}

const CONFIRM_WORD = 'confirm';

const SUCCESS_TEXT: Record<KeyAction, string> = {
  'enable': 'enabled',
  'disable': 'disabled',
  'delete-material': 'key material deleted',
  'schedule-deletion': 'scheduled for deletion',
  'cancel-deletion': 'deletion cancelled',
};

async function runOne(kms: KMSClient, action: KeyAction, keyId: string, options: RunOptions & { days?: number }) {
  switch (action) {
    case 'enable': await kms.send(new EnableKeyCommand({ KeyId: keyId })); return undefined;
    case 'disable': await kms.send(new DisableKeyCommand({ KeyId: keyId })); return undefined;
    case 'cancel-deletion': await kms.send(new CancelKeyDeletionCommand({ KeyId: keyId })); return undefined;
    case 'delete-material': {
      const out = await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: options.keyMaterialId }));
      return out.KeyMaterialId ? `Key material ID ${out.KeyMaterialId}` : undefined;
    }
    case 'schedule-deletion': {
      const out = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: options.days }));
      return out.DeletionDate ? `Deletion date ${formatDate(out.DeletionDate)}` : undefined;
    }
  }
}

/**
 * Returns `open(action, targets, options)` and the dialogs to render. Enable and Cancel key deletion run at
 * once; the others ask first. Every API error is shown as the API states it.
 */
export function useKeyActions(onChanged: () => void): { open: (action: KeyAction, targets: ActionTarget[], options?: RunOptions) => void; dialogs: ReactNode } {
  const { kms, notify } = useConsole();
  const [pending, setPending] = useState<{ action: KeyAction; targets: ActionTarget[]; options: RunOptions } | null>(null);
  const [running, setRunning] = useState(false);

  const run = useCallback(async (action: KeyAction, targets: ActionTarget[], options: RunOptions & { days?: number }) => {
    setRunning(true);
    const results = await Promise.all(targets.map(async (target) => {
      try {
        return { target, detail: await runOne(kms, action, target.metadata.KeyId ?? '', options) };
      } catch (error) {
        return { target, error };
      }
    }));
    setRunning(false);
    setPending(null);
    for (const result of results) {
      if ('error' in result) {
        notify({ type: 'error', header: `${KEY_ACTION_LABELS[action]} failed for ${result.target.displayName}`, content: apiErrorLine(result.error) });
      } else {
        notify({ type: 'success', header: `${result.target.displayName}: ${SUCCESS_TEXT[action]}`, content: result.detail });
      }
    }
    onChanged();
  }, [kms, notify, onChanged]);

  const open = useCallback((action: KeyAction, targets: ActionTarget[], options: RunOptions = {}) => {
    if (action === 'enable' || action === 'cancel-deletion') void run(action, targets, options);
    else setPending({ action, targets, options });
  }, [run]);

  const close = () => { if (!running) setPending(null); };
  let dialogs: ReactNode = null;
  if (pending?.action === 'disable') {
    dialogs = <DisableDialog targets={pending.targets} running={running} onCancel={close} onConfirm={() => void run('disable', pending.targets, pending.options)} />;
  } else if (pending?.action === 'delete-material') {
    dialogs = <DeleteMaterialDialog targets={pending.targets} options={pending.options} running={running} onCancel={close}
      onConfirm={() => void run('delete-material', pending.targets, pending.options)} />;
  } else if (pending?.action === 'schedule-deletion') {
    dialogs = <ScheduleDeletionDialog targets={pending.targets} running={running} onCancel={close}
      onConfirm={(days) => void run('schedule-deletion', pending.targets, { ...pending.options, days })} />;
  }
  return { open, dialogs };
}

function TargetList({ targets }: { targets: ActionTarget[] }) {
  return (
    <ul aria-label="Selected keys">
      {targets.map((t) => <li key={t.metadata.KeyId}><Box variant="code">{t.displayName}</Box></li>)}
    </ul>
  );
}

function DisableDialog({ targets, running, onCancel, onConfirm }: {
  targets: ActionTarget[]; running: boolean; onCancel: () => void; onConfirm: () => void;
}) {
  return (
    <Modal visible header="Disable key" onDismiss={onCancel}
      footer={<DialogFooter busy={running} confirmText="Disable key" onCancel={onCancel} onConfirm={onConfirm} />}>
      <SpaceBetween size="m">
        <Box>A disabled key cannot be used in cryptographic operations until you enable it again.</Box>
        <TargetList targets={targets} />
      </SpaceBetween>
    </Modal>
  );
}

function DeleteMaterialDialog({ targets, options, running, onCancel, onConfirm }: {
  targets: ActionTarget[]; options: RunOptions; running: boolean; onCancel: () => void; onConfirm: () => void;
}) {
  const [confirmed, setConfirmed] = useState(false);
  const many = targets.length > 1;
  return (
    <Modal visible header="Delete key material" onDismiss={onCancel}
      footer={<DialogFooter busy={running} confirmText="Delete key material" disabled={!confirmed} onCancel={onCancel} onConfirm={onConfirm} />}>
      <SpaceBetween size="m">
        {options.pendingRotation ? (
          <Alert type="info">
            This key material is pending rotation; it is not in use yet. Deleting it removes it from the key and does
            not change the key state. You can import different new key material afterwards.
          </Alert>
        ) : (
          <Alert type="warning" header="The key becomes unusable">
            Deleting key material makes {many ? 'these KMS keys' : 'this KMS key'} unusable at once: every
            cryptographic operation fails, and the key state changes to <strong>Pending import</strong>. Data
            encrypted under the key cannot be decrypted until you import <strong>the same key material</strong> again;
            KMS refuses any other material for this key. Keep a copy of the key material before you continue.
          </Alert>
        )}
        {options.keyMaterialId && (
          <Box>Key material ID: <Box variant="code">{options.keyMaterialId}</Box></Box>
        )}
        <TargetList targets={targets} />
        <Checkbox checked={confirmed} onChange={({ detail }) => setConfirmed(detail.checked)}>
          Confirm that you want to delete the key material {many ? `of these ${targets.length} keys` : 'of this key'}.
        </Checkbox>
      </SpaceBetween>
    </Modal>
  );
}

function ScheduleDeletionDialog({ targets, running, onCancel, onConfirm }: {
  targets: ActionTarget[]; running: boolean; onCancel: () => void; onConfirm: (days: number) => void;
}) {
  const [days, setDays] = useState('30');
  const [typed, setTyped] = useState('');
  const whole = /^\d+$/.test(days.trim());
  return (
    <Modal visible header="Schedule key deletion" onDismiss={onCancel}
      footer={<DialogFooter busy={running} confirmText="Schedule deletion" disabled={!whole || typed.trim() !== CONFIRM_WORD}
        onCancel={onCancel} onConfirm={() => onConfirm(Number(days.trim()))} />}>
      <SpaceBetween size="m">
        <Alert type="warning" header="Deleting a KMS key is destructive">
          After the waiting period the key, its key material and its aliases are deleted for good, and data encrypted
          under it can never be decrypted. During the waiting period the key cannot be used, and you can cancel the
          deletion.
        </Alert>
        <TargetList targets={targets} />
        <FormField label="Waiting period (in days)" constraintText="Enter a whole number of days from 7 to 30."
          errorText={whole ? undefined : 'Enter a whole number of days.'}>
          <Input type="number" inputMode="numeric" value={days} onChange={({ detail }) => setDays(detail.value)} />
        </FormField>
        <FormField label={`To confirm the deletion, type "${CONFIRM_WORD}".`}>
          <Input value={typed} placeholder={CONFIRM_WORD} ariaRequired onChange={({ detail }) => setTyped(detail.value)} />
        </FormField>
      </SpaceBetween>
    </Modal>
  );
}

/** The Key actions menu; each item is enabled only when every selected key's state allows it. */
export function KeyActionsMenu({ targets, onAction }: { targets: ActionTarget[]; onAction: (action: KeyAction) => void }) {
  const metadata = targets.map((t) => t.metadata);
  const actions: KeyAction[] = ['enable', 'disable', 'delete-material', 'schedule-deletion', 'cancel-deletion'];
  return (
    <ButtonDropdown
      disabled={targets.length === 0}
      disabledReason="Select one or more keys."
      items={actions.map((action) => {
        const disabled = !allowedFor(metadata, action);
        return {
          id: action,
          text: KEY_ACTION_LABELS[action],
          disabled,
          ...(disabled ? { disabledReason: targets.length === 1 ? 'The key state does not allow this action.' : 'The state of a selected key does not allow this action.' } : {}),
        };
      })}
      onItemClick={({ detail }) => onAction(detail.id as KeyAction)}
    >
      Key actions
    </ButtonDropdown>
  );
}
