// Activity: the audit trail (CloudTrail LookupEvents on the service's own endpoint), for the account or one key:
// who called what, when, and how it ended. New events appear as they are recorded (polled while auto-refresh is
// on); a refusal (AccessDeniedException without cloudtrail:LookupEvents) is shown as the API states it.
import { LookupEventsCommand, type Event as TrailEvent, type LookupAttribute, type LookupAttributeKey } from '@aws-sdk/client-cloudtrail';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Link from '@cloudscape-design/components/link';
import Modal from '@cloudscape-design/components/modal';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import Toggle from '@cloudscape-design/components/toggle';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiErrorAlert } from '../components/api-error';
import { useConsole } from '../context';
import { formatDate } from '../format';
import { href } from '../router';

/** How often auto-refresh asks for new events. Reading the trail is not itself recorded (D106). */
const POLL_MS = 3000;

/** What a row shows, from the event and its CloudTrail record. */
interface ActivityRow {
  id: string;
  time: Date | undefined;
  name: string;
  who: string;
  accessKeyId: string | undefined;
  errorCode: string | undefined;
  errorMessage: string | undefined;
  keyArns: string[];
  record: string;
}

/** The members of a CloudTrail record a row shows (a service event has `invokedBy`, no `arn`). */
interface TrailRecord {
  userIdentity?: { arn?: string; invokedBy?: string };
  errorCode?: string;
  errorMessage?: string;
}

function activityRow(event: TrailEvent): ActivityRow {
  let record: TrailRecord = {};
  try {
    record = JSON.parse(event.CloudTrailEvent ?? '{}') as TrailRecord;
  } catch {
    // A record that does not parse still shows its event name and time.
  }
  const identity = record.userIdentity;
  const who = identity?.arn ?? (identity?.invokedBy ? `${identity.invokedBy} (service event)` : undefined) ?? event.Username ?? '-';
  return {
    id: event.EventId ?? '',
    time: event.EventTime,
    name: event.EventName ?? '-',
    who,
    accessKeyId: event.AccessKeyId,
    errorCode: record.errorCode,
    errorMessage: record.errorMessage,
    keyArns: (event.Resources ?? []).filter((r) => r.ResourceType === 'AWS::KMS::Key').map((r) => r.ResourceName ?? ''),
    record: event.CloudTrailEvent ?? '',
  };
}

const FILTER_KEYS: { value: LookupAttributeKey | ''; label: string }[] = [
  { value: '', label: 'All events' },
  { value: 'EventName', label: 'Event name' },
  { value: 'Username', label: 'User name' },
  { value: 'AccessKeyId', label: 'Access key ID' },
  { value: 'ResourceName', label: 'Resource name (ARN)' },
  { value: 'ReadOnly', label: 'Read-only (true or false)' },
];

/** The activity table; `keyArn` limits it to events about one key (ResourceName lookup). */
export function ActivityTable({ keyArn, variant }: { keyArn?: string; variant?: 'embedded' | 'full-page' }) {
  const { cloudtrail } = useConsole();
  const [rows, setRows] = useState<ActivityRow[]>([]);
  const [nextToken, setNextToken] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [auto, setAuto] = useState(true);
  const [filterKey, setFilterKey] = useState<LookupAttributeKey | ''>('');
  const [filterValue, setFilterValue] = useState('');
  const [applied, setApplied] = useState<LookupAttribute | undefined>(undefined);
  const [shown, setShown] = useState<ActivityRow | null>(null);
  const call = useRef(0);

  const lookupKey = keyArn ? 'ResourceName' : applied?.AttributeKey;
  const lookupValue = keyArn ?? applied?.AttributeValue;
  const lookup = useCallback(
    (NextToken?: string) => new LookupEventsCommand({
      ...(lookupKey ? { LookupAttributes: [{ AttributeKey: lookupKey, AttributeValue: lookupValue }] } : {}), MaxResults: 50, NextToken,
    }),
    [lookupKey, lookupValue],
  );

  /** The newest page; kept rows that are older stay below it, so a loaded "more" page is not lost. */
  const refresh = useCallback(async () => {
    const mine = ++call.current;
    setLoading(true);
    try {
      const out = await cloudtrail.send(lookup());
      if (mine !== call.current) return;
      const fresh = (out.Events ?? []).map(activityRow);
      setRows((old) => {
        const known = new Set(fresh.map((r) => r.id));
        return [...fresh, ...old.filter((r) => !known.has(r.id) && fresh.length > 0 && (r.time?.getTime() ?? 0) <= (fresh[fresh.length - 1]!.time?.getTime() ?? 0))];
      });
      setNextToken((old) => old ?? out.NextToken);
      setError(null);
    } catch (e) {
      if (mine === call.current) setError(e);
    } finally {
      if (mine === call.current) setLoading(false);
    }
  }, [cloudtrail, lookup]);

  const loadMore = async () => {
    if (!nextToken) return;
    setLoading(true);
    try {
      const out = await cloudtrail.send(lookup(nextToken));
      setRows((old) => {
        const known = new Set(old.map((r) => r.id));
        return [...old, ...(out.Events ?? []).map(activityRow).filter((r) => !known.has(r.id))];
      });
      setNextToken(out.NextToken);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };

  // A new filter starts a new list.
  useEffect(() => { setRows([]); setNextToken(undefined); void refresh(); }, [refresh]);
  useEffect(() => {
    if (!auto) return undefined;
    const timer = window.setInterval(() => void refresh(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [auto, refresh]);

  return (
    <SpaceBetween size="m">
      {error !== null && <ApiErrorAlert error={error} header="Could not read the activity" />}
      <Table
        variant={variant === 'full-page' ? 'full-page' : 'container'}
        header={
          <Header variant={variant === 'full-page' ? 'h1' : 'h2'} counter={`(${rows.length}${nextToken ? '+' : ''})`}
            description={keyArn
              ? 'Calls and service events about this key, newest first, from the audit trail (CloudTrail LookupEvents).'
              : 'Every call and service event in this account and Region, newest first, from the audit trail (CloudTrail LookupEvents).'}
            actions={
              <SpaceBetween direction="horizontal" size="xs" alignItems="center">
                <Toggle checked={auto} onChange={({ detail }) => setAuto(detail.checked)}>Auto-refresh</Toggle>
                <Button iconName="refresh" ariaLabel="Refresh activity" loading={loading} onClick={() => void refresh()} />
              </SpaceBetween>
            }>
            Activity
          </Header>
        }
        filter={keyArn ? undefined : (
          <SpaceBetween direction="horizontal" size="xs" alignItems="end">
            <FormField label="Lookup attribute">
              <Select selectedOption={FILTER_KEYS.find((f) => f.value === filterKey) ?? FILTER_KEYS[0]!}
                options={FILTER_KEYS} onChange={({ detail }) => setFilterKey(detail.selectedOption.value as LookupAttributeKey | '')} />
            </FormField>
            <FormField label="Value">
              <Input value={filterValue} disabled={!filterKey} onChange={({ detail }) => setFilterValue(detail.value)}
                onKeyDown={({ detail }) => { if (detail.key === 'Enter') setApplied(filterKey ? { AttributeKey: filterKey, AttributeValue: filterValue } : undefined); }} />
            </FormField>
            <Button onClick={() => setApplied(filterKey ? { AttributeKey: filterKey, AttributeValue: filterValue } : undefined)}>Apply filter</Button>
          </SpaceBetween>
        )}
        items={rows}
        trackBy="id"
        loading={loading && rows.length === 0}
        loadingText="Loading activity"
        ariaLabels={{ tableLabel: 'Activity' }}
        wrapLines
        empty={<Box textAlign="center" color="inherit">No events recorded{keyArn ? ' for this key' : ''}.</Box>}
        columnDefinitions={[
          { id: 'time', header: 'Event time', cell: (r) => formatDate(r.time) },
          { id: 'name', header: 'Event name', cell: (r) => <Link onFollow={(e) => { e.preventDefault(); setShown(r); }} href="#" ariaLabel={`${r.name} at ${formatDate(r.time)}, view event record`}>{r.name}</Link> },
          { id: 'who', header: 'Who', cell: (r) => r.who },
          { id: 'outcome', header: 'Outcome', cell: (r) => r.errorCode
            ? <StatusIndicator type="error">{r.errorCode}{r.errorMessage ? `: ${r.errorMessage}` : ''}</StatusIndicator>
            : <StatusIndicator type="success">Succeeded</StatusIndicator> },
          ...(keyArn ? [] : [{ id: 'key', header: 'Key', cell: (r: ActivityRow) => r.keyArns.length
            ? <SpaceBetween size="xxxs">{r.keyArns.map((arn) => <Link key={arn} href={href({ page: 'key', keyRef: arn.split('/').pop() ?? arn })}>{arn.split('/').pop()}</Link>)}</SpaceBetween>
            : '-' }]),
          { id: 'access-key', header: 'Access key ID', cell: (r) => r.accessKeyId ?? '-' },
        ]}
      />
      {nextToken && <Box textAlign="center"><Button onClick={() => void loadMore()} loading={loading}>Load older events</Button></Box>}
      {shown && (
        <Modal visible size="large" header={`${shown.name}, ${formatDate(shown.time)}`} onDismiss={() => setShown(null)}
          footer={<Box float="right"><Button variant="primary" onClick={() => setShown(null)}>Close</Button></Box>}>
          <Box variant="code"><pre aria-label="Event record" style={{ margin: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{prettyRecord(shown.record)}</pre></Box>
        </Modal>
      )}
    </SpaceBetween>
  );
}

function prettyRecord(record: string): string {
  try {
    return JSON.stringify(JSON.parse(record), null, 2);
  } catch {
    return record;
  }
}

export function ActivityPage() {
  return <ActivityTable variant="full-page" />;
}
