// A dialog that makes one change through the API: Cancel and a confirm button that shows the call running, and the
// call's refusal shown as the API states it. On success the opener refreshes and the dialog closes.
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Modal, { type ModalProps } from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState, type ReactNode } from 'react';
import { ApiErrorAlert } from './api-error';

export function DialogFooter({ busy, confirmText, disabled, onCancel, onConfirm }: {
  busy: boolean; confirmText: string; disabled?: boolean; onCancel: () => void; onConfirm: () => void;
}) {
  return (
    <Box float="right">
      <SpaceBetween direction="horizontal" size="xs">
        <Button variant="link" onClick={onCancel} disabled={busy}>Cancel</Button>
        <Button variant="primary" loading={busy} disabled={disabled} onClick={onConfirm}>{confirmText}</Button>
      </SpaceBetween>
    </Box>
  );
}

export function CallDialog({ header, size, confirmText, disabled, call, onClose, onChanged, children }: {
  header: string; size?: ModalProps.Size; confirmText: string; disabled?: boolean;
  /** The change; it notifies its own success, and a refusal it throws is shown in the dialog. */
  call: () => Promise<void>;
  onClose: () => void; onChanged: () => void; children?: ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await call();
      onChanged();
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal visible size={size} header={header} onDismiss={() => { if (!busy) onClose(); }}
      footer={<DialogFooter busy={busy} confirmText={confirmText} disabled={disabled} onCancel={onClose} onConfirm={() => void confirm()} />}>
      <SpaceBetween size="m">
        {children}
        {error !== null && <ApiErrorAlert error={error} />}
      </SpaceBetween>
    </Modal>
  );
}
