// Which Key actions the selected keys allow, from their state (spec §1.3), and how states read in the console.
import type { KeyMetadata } from '@aws-sdk/client-kms';

export type KeyAction = 'enable' | 'disable' | 'delete-material' | 'schedule-deletion' | 'cancel-deletion';

export const KEY_ACTION_LABELS: Record<KeyAction, string> = {
  'enable': 'Enable',
  'disable': 'Disable',
  'delete-material': 'Delete key material',
  'schedule-deletion': 'Schedule key deletion',
  'cancel-deletion': 'Cancel key deletion',
};

/** Whether the key has imported material to delete: only EXTERNAL keys do, and only while it is imported. */
export function hasImportedMaterial(key: KeyMetadata): boolean {
  if (key.Origin !== 'EXTERNAL') return false;
  if (key.KeyState === 'Enabled' || key.KeyState === 'Disabled') return true;
  // ExpirationModel is reported only while material is imported (spec §2.2).
  return key.KeyState === 'PendingDeletion' && key.ExpirationModel !== undefined;
}

export function allows(key: KeyMetadata, action: KeyAction): boolean {
  switch (action) {
    case 'enable': return key.KeyState === 'Disabled';
    case 'disable': return key.KeyState === 'Enabled';
    case 'delete-material': return hasImportedMaterial(key);
    case 'schedule-deletion':
      return key.KeyState === 'Enabled' || key.KeyState === 'Disabled' || key.KeyState === 'PendingImport';
    case 'cancel-deletion': return key.KeyState === 'PendingDeletion';
  }
}

/** An action is offered when every selected key allows it. */
export function allowedFor(keys: readonly KeyMetadata[], action: KeyAction): boolean {
  return keys.length > 0 && keys.every((key) => allows(key, action));
}

const STATE_LABELS: Record<string, string> = {
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  PendingImport: 'Pending import',
  PendingDeletion: 'Pending deletion',
  PendingReplicaDeletion: 'Pending replica deletion',
  Unavailable: 'Unavailable',
  Creating: 'Creating',
  Updating: 'Updating',
};

export function stateLabel(state: string | undefined): string {
  return state === undefined ? '-' : (STATE_LABELS[state] ?? state);
}

const ORIGIN_LABELS: Record<string, string> = {
  AWS_KMS: 'AWS KMS',
  EXTERNAL: 'External',
  AWS_CLOUDHSM: 'AWS CloudHSM',
  EXTERNAL_KEY_STORE: 'External key store',
};

export function originLabel(origin: string | undefined): string {
  return origin === undefined ? '-' : (ORIGIN_LABELS[origin] ?? origin);
}
