// Customer managed keys: region, filters, selection and Key actions.
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import Pagination from '@cloudscape-design/components/pagination';
import Select, { type SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import TextFilter from '@cloudscape-design/components/text-filter';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { listKeyRows, type KeyRow } from '../api';
import { ApiErrorAlert } from '../components/api-error';
import { KeyActionsMenu, useKeyActions, type ActionTarget } from '../components/key-actions';
import { KeyStateIndicator } from '../components/key-state';
import { useConsole } from '../context';
import { formatDate } from '../format';
import { originLabel, stateLabel } from '../key-actions';
import { href } from '../router';
import { REGIONS } from '../settings';

const PAGE_SIZE = 20;
const ANY: SelectProps.Option = { value: '', label: 'Any' };
const STATE_OPTIONS: SelectProps.Option[] = [ANY, ...['Enabled', 'Disabled', 'PendingImport', 'PendingDeletion']
  .map((state) => ({ value: state, label: stateLabel(state) }))];
const ORIGIN_OPTIONS: SelectProps.Option[] = [ANY, ...['AWS_KMS', 'EXTERNAL']
  .map((origin) => ({ value: origin, label: originLabel(origin) }))];

function displayName(row: KeyRow): string {
  return row.aliases[0] ?? row.metadata.KeyId ?? '';
}

function toTarget(row: KeyRow): ActionTarget {
  return { metadata: row.metadata, displayName: displayName(row) };
}

function materialExpiry(row: KeyRow): string {
  const { Origin, ExpirationModel, ValidTo } = row.metadata;
  if (Origin !== 'EXTERNAL') return '-';
  if (ExpirationModel === 'KEY_MATERIAL_DOES_NOT_EXPIRE') return 'Never';
  return ValidTo ? formatDate(ValidTo) : '-';
}

function matchesText(row: KeyRow, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (!needle) return true;
  const { KeyId, Arn, Description } = row.metadata;
  return [KeyId, Arn, Description, ...row.aliases].some((v) => v?.toLowerCase().includes(needle));
}

export function KeysListPage() {
  const { kms, settings, account, updateSettings } = useConsole();
  const where = account.state === 'known' ? `account ${account.account}, ${settings.region}` : settings.region;
  const [rows, setRows] = useState<KeyRow[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [selected, setSelected] = useState<KeyRow[]>([]);
  const [text, setText] = useState('');
  const [state, setState] = useState<SelectProps.Option>(ANY);
  const [origin, setOrigin] = useState<SelectProps.Option>(ANY);
  const [page, setPage] = useState(1);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const fresh = await listKeyRows(kms);
      setRows(fresh);
      setError(null);
      // Keep the selection on the same keys, with their new state.
      setSelected((previous) => fresh.filter((r) => previous.some((p) => p.metadata.KeyId === r.metadata.KeyId)));
    } catch (e) {
      setRows([]);
      setSelected([]);
      setError(e);
    } finally {
      setLoading(false);
    }
  }, [kms]);
  useEffect(() => { void load(); }, [load]);

  const { open, dialogs } = useKeyActions(() => void load());

  const filtered = useMemo(() => rows.filter((row) => matchesText(row, text)
    && (!state.value || row.metadata.KeyState === state.value)
    && (!origin.value || row.metadata.Origin === origin.value)), [rows, text, state, origin]);
  const pagesCount = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
  const currentPage = Math.min(page, pagesCount);
  const visible = filtered.slice((currentPage - 1) * PAGE_SIZE, currentPage * PAGE_SIZE);

  const regionOptions = (REGIONS.includes(settings.region) ? REGIONS : [settings.region, ...REGIONS])
    .map((region) => ({ value: region, label: region }));

  return (
    <SpaceBetween size="m">
      {error !== null && <ApiErrorAlert error={error} />}
      <Table
        variant="full-page"
        items={visible}
        trackBy={(row) => row.metadata.KeyId ?? ''}
        loading={loading}
        loadingText="Loading keys"
        selectionType="multi"
        selectedItems={selected}
        onSelectionChange={({ detail }) => setSelected(detail.selectedItems)}
        ariaLabels={{
          selectionGroupLabel: 'Key selection',
          allItemsSelectionLabel: () => 'Select all keys on this page',
          itemSelectionLabel: (_, row) => `Select key ${displayName(row)}`,
          tableLabel: 'Customer managed keys',
        }}
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={selected.length ? `(${selected.length}/${rows.length})` : `(${rows.length})`}
            description={`Keys in ${where}. Select keys to change their state, or open a key to see its key material.`}
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button iconName="refresh" ariaLabel="Refresh keys" onClick={() => void load()} />
                <KeyActionsMenu targets={selected.map(toTarget)} onAction={(action) => open(action, selected.map(toTarget))} />
                <Button variant="primary" href={href({ page: 'create' })}>Create key</Button>
              </SpaceBetween>
            }
          >
            Customer managed keys
          </Header>
        }
        filter={
          <SpaceBetween direction="horizontal" size="s" alignItems="end">
            <FormField label="Region">
              <Select selectedOption={{ value: settings.region, label: settings.region }} options={regionOptions}
                onChange={({ detail }) => { updateSettings({ ...settings, region: detail.selectedOption.value ?? settings.region }); setSelected([]); }} />
            </FormField>
            <FormField label="Find keys">
              <TextFilter filteringText={text} filteringPlaceholder="Alias, key ID, ARN or description"
                filteringAriaLabel="Find keys by alias, key ID, ARN or description"
                countText={`${filtered.length} ${filtered.length === 1 ? 'match' : 'matches'}`}
                onChange={({ detail }) => { setText(detail.filteringText); setPage(1); }} />
            </FormField>
            <FormField label="Key state">
              <Select selectedOption={state} options={STATE_OPTIONS}
                onChange={({ detail }) => { setState(detail.selectedOption); setPage(1); }} />
            </FormField>
            <FormField label="Origin">
              <Select selectedOption={origin} options={ORIGIN_OPTIONS}
                onChange={({ detail }) => { setOrigin(detail.selectedOption); setPage(1); }} />
            </FormField>
          </SpaceBetween>
        }
        pagination={<Pagination currentPageIndex={currentPage} pagesCount={pagesCount}
          onChange={({ detail }) => setPage(detail.currentPageIndex)} />}
        empty={
          error !== null ? (
            // The listing failed: say so here too, never "no keys" (the error is shown above the table).
            <Box textAlign="center" color="inherit">
              <SpaceBetween size="xs">
                <b>Keys could not be listed</b>
                <Box variant="p" color="inherit">See the error above; Refresh tries again.</Box>
              </SpaceBetween>
            </Box>
          ) : (
            <Box textAlign="center" color="inherit">
              <SpaceBetween size="xs">
                <b>No keys</b>
                <Box variant="p" color="inherit">
                  {rows.length ? 'No key matches the filters.' : `There are no keys in ${where}.`}
                </Box>
                {!rows.length && (
                  <Box variant="small" color="inherit">
                    Keys belong to one account and Region. In open mode a 12-digit access key ID is the account: set it in
                    {' '}<Link href={href({ page: 'settings' })}>Settings</Link>.
                  </Box>
                )}
              </SpaceBetween>
            </Box>
          )
        }
        columnDefinitions={[
          {
            id: 'alias', header: 'Aliases',
            cell: (row) => row.aliases.length
              ? <SpaceBetween size="xxxs">{row.aliases.map((alias) => (
                  <Link key={alias} href={href({ page: 'key', keyRef: alias })}>{alias}</Link>
                ))}</SpaceBetween>
              : '-',
          },
          {
            id: 'keyId', header: 'Key ID',
            cell: (row) => <Link href={href({ page: 'key', keyRef: row.metadata.KeyId ?? '' })}>{row.metadata.KeyId}</Link>,
          },
          { id: 'state', header: 'Status', cell: (row) => <KeyStateIndicator state={row.metadata.KeyState} /> },
          { id: 'origin', header: 'Origin', cell: (row) => originLabel(row.metadata.Origin) },
          { id: 'expiry', header: 'Key material expiry', cell: materialExpiry },
        ]}
      />
      {dialogs}
    </SpaceBetween>
  );
}
