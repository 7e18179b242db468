import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import { stateLabel } from '../key-actions';

const STATUS: Record<string, StatusIndicatorProps.Type> = {
  Enabled: 'success',
  Disabled: 'stopped',
  PendingImport: 'pending',
  PendingDeletion: 'warning',
};

export function KeyStateIndicator({ state }: { state: string | undefined }) {
  return <StatusIndicator type={STATUS[state ?? ''] ?? 'info'}>{stateLabel(state)}</StatusIndicator>;
}
