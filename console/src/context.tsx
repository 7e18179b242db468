// What every page needs: the settings, a KMS client built from them, and the notification bar.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { KMSClient } from '@aws-sdk/client-kms';
import type { FlashbarProps } from '@cloudscape-design/components/flashbar';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { effectiveEndpoint, loadSettings, saveSettings, type Settings } from './settings';

export interface Notice {
  type: 'success' | 'error' | 'info';
  header: string;
  content?: ReactNode;
}

interface ConsoleContextValue {
  settings: Settings;
  updateSettings(settings: Settings): void;
  kms: KMSClient;
  /** The audit trail (CloudTrail LookupEvents) on the same endpoint, with the same credentials. */
  cloudtrail: CloudTrailClient;
  notices: FlashbarProps.MessageDefinition[];
  notify(notice: Notice): void;
}

const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function makeKmsClient(settings: Settings): KMSClient {
  return new KMSClient({
    endpoint: effectiveEndpoint(settings),
    region: settings.region,
    credentials: {
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
      ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}),
    },
    // A console shows the first answer as it is; retrying a refused state change would only repeat it.
    maxAttempts: 1,
  });
}

let nextNoticeId = 1;

export function ConsoleProvider({ children }: { children: ReactNode }) {
  const [settings, setSettings] = useState<Settings>(loadSettings);
  const [notices, setNotices] = useState<FlashbarProps.MessageDefinition[]>([]);
  const kms = useMemo(() => makeKmsClient(settings), [settings]);
  const cloudtrail = useMemo(
    () => new CloudTrailClient({ endpoint: effectiveEndpoint(settings), region: settings.region, credentials: kms.config.credentials, maxAttempts: 1 }),
    [settings, kms],
  );

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
    () => ({ settings, updateSettings, kms, cloudtrail, notices, notify }),
    [settings, updateSettings, kms, cloudtrail, notices, notify],
  );
  return <ConsoleContext.Provider value={value}>{children}</ConsoleContext.Provider>;
}

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole outside ConsoleProvider');
  return value;
}
