// Connection settings: where the KMS API is and which credentials sign the requests. Kept in localStorage.

export interface Settings {
  /** KMS endpoint URL; empty means "the service that serves this page". */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

const STORAGE_KEY = 'byok-kms-console.settings';

/**
 * The embedded server's open mode accepts any credentials, and a 12-digit access key ID is the account:
 * these are the README's quick-start credentials, so the console shows the keys the README's commands
 * create (account 111122223333, us-east-1).
 */
export const DEFAULT_SETTINGS: Settings = {
  endpoint: '',
  region: 'us-east-1',
  accessKeyId: '111122223333',
  secretAccessKey: 'local',
  sessionToken: '',
};

export const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'ap-south-1',
  'me-central-1', 'af-south-1',
];

/**
 * The service that serves the console also answers KMS requests: the page lives at <service>/console/,
 * so the endpoint is the page URL with everything from "/console" on removed (this keeps an API Gateway
 * stage prefix such as /prod).
 */
export function defaultEndpoint(location: Pick<Location, 'origin' | 'pathname'> = window.location): string {
  const at = location.pathname.lastIndexOf('/console');
  const prefix = at >= 0 ? location.pathname.slice(0, at) : '';
  return location.origin + prefix;
}

export function effectiveEndpoint(settings: Settings): string {
  return settings.endpoint.trim() || defaultEndpoint();
}

/**
 * The console's Content-Security-Policy lets it connect to its own origin only (the KMS API it is served
 * with); true when `endpoint` is elsewhere, so the browser will refuse every call.
 */
export function isOtherOrigin(endpoint: string, location: Pick<Location, 'origin'> = window.location): boolean {
  try {
    return new URL(endpoint).origin !== location.origin;
  } catch {
    return true;
  }
}

export function loadSettings(): Settings {
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY);
    if (!raw) return DEFAULT_SETTINGS;
    const stored = JSON.parse(raw) as Partial<Settings>;
    const merged = { ...DEFAULT_SETTINGS };
    for (const name of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
      if (typeof stored[name] === 'string') merged[name] = stored[name];
    }
    return merged;
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export function saveSettings(settings: Settings): void {
  window.localStorage.setItem(STORAGE_KEY, JSON.stringify(settings));
}
