// What every page needs: the settings, a KMS client built from them, and the notification bar.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { KMSClient } from '@aws-sdk/client-kms';
import type { FlashbarProps } from '@cloudscape-design/components/flashbar';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { callerAccount } from './api';
import { effectiveEndpoint, isOtherOrigin, loadSettings, saveSettings, type Settings } from './settings';

export interface Notice {
  type: 'success' | 'error' | 'info';
  header: string;
  content?: ReactNode;
}

/** Which account the service puts the console's requests in: known, still being asked, or not learnt (and why). */
export type CallerAccount = { state: 'known'; account: string } | { state: 'loading' } | { state: 'unknown'; error: unknown };

interface ConsoleContextValue {
  settings: Settings;
  updateSettings(settings: Settings): void;
  kms: KMSClient;
  /** The audit trail (CloudTrail LookupEvents) on the same endpoint, with the same credentials. */
  cloudtrail: CloudTrailClient;
  /** The account the current credentials select, as the service sees it. */
  account: CallerAccount;
  notices: FlashbarProps.MessageDefinition[];
  notify(notice: Notice): void;
}

/**
 * The browser failed to reach the endpoint at all (fetch rejected: nothing listens there, or the page's
 * Content-Security-Policy refused the origin). Says which endpoint, which the browser's "Failed to fetch" does not.
 */
export class EndpointUnreachable extends Error {
  constructor(readonly endpoint: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(isOtherOrigin(endpoint)
      ? `The console can only call the service that serves it (${window.location.origin}); its Content-Security-Policy refuses ${endpoint}. Leave the endpoint empty in Settings.`
      : `Cannot reach the KMS endpoint ${endpoint} (${why}). Check that the service is running there, or change the endpoint in Settings.`,
    { cause });
    this.name = 'EndpointUnreachable';
  }
}

/** A failed fetch: a TypeError with no HTTP answer behind it (an API error always has a status). */
function isNetworkFailure(error: unknown): boolean {
  return error instanceof TypeError && (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === undefined;
}

const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function makeKmsClient(settings: Settings): KMSClient {
  const endpoint = effectiveEndpoint(settings);
  const client = new KMSClient({
    endpoint,
    region: settings.region,
    credentials: {
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
      ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}),
    },
    // A console shows the first answer as it is; retrying a refused state change would only repeat it.
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw isNetworkFailure(error) ? new EndpointUnreachable(endpoint, error) : error;
      }
    },
    { step: 'initialize', name: 'nameUnreachableEndpoint' },
  );
  return client;
}

/** The audit trail (CloudTrail LookupEvents) on the same endpoint, with the KMS client's credentials. */
export function makeCloudTrailClient(settings: Settings, kms: KMSClient): CloudTrailClient {
  return new CloudTrailClient({ endpoint: effectiveEndpoint(settings), region: settings.region, credentials: kms.config.credentials, maxAttempts: 1 });
}

let nextNoticeId = 1;

export function ConsoleProvider({ children }: { children: ReactNode }) {
  const [settings, setSettings] = useState<Settings>(loadSettings);
  const [notices, setNotices] = useState<FlashbarProps.MessageDefinition[]>([]);
  const kms = useMemo(() => makeKmsClient(settings), [settings]);
  const cloudtrail = useMemo(() => makeCloudTrailClient(settings, kms), [settings, kms]);
  const [account, setAccount] = useState<CallerAccount>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setAccount({ state: 'loading' });
    callerAccount(kms, cloudtrail).then(
      (found) => current && setAccount({ state: 'known', account: found }),
      (error: unknown) => current && setAccount({ state: 'unknown', error }),
    );
    return () => { current = false; };
  }, [kms, cloudtrail]);

  const updateSettings = useCallback((next: Settings) => {
    saveSettings(next);
    setSettings(next);
  }, []);

  const dismiss = useCallback((id: string) => setNotices((all) => all.filter((n) => n.id !== id)), []);
  const notify = useCallback((notice: Notice) => {
    const id = `notice-${nextNoticeId++}`;
    const item: FlashbarProps.MessageDefinition = {
      id,
      type: notice.type,
      header: notice.header,
      content: notice.content,
      dismissible: true,
      dismissLabel: 'Dismiss message',
      onDismiss: () => dismiss(id),
    };
    setNotices((all) => [item, ...all].slice(0, 5));
  }, [dismiss]);

  const value = useMemo(
    () => ({ settings, updateSettings, kms, cloudtrail, account, notices, notify }),
    [settings, updateSettings, kms, cloudtrail, account, notices, notify],
  );
  return <ConsoleContext.Provider value={value}>{children}</ConsoleContext.Provider>;
}

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole outside ConsoleProvider');
  return value;
}
