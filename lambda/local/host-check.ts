/**
 * Which `Host` values the local server answers (design decision 13, D21). A page on another site
 * whose name an attacker re-points at 127.0.0.1 (DNS rebinding) reaches the server with the
 * attacker's name in `Host`; refusing every name the server did not announce keeps such a page out.
 *
 * Accepted, each with the server's port (no port means 80):
 * - the loopback names `localhost`, `127.0.0.1` and `[::1]`;
 * - the address the server is bound to, as the banner shows it (`0.0.0.0` too: only this server can
 *   answer a page loaded from there);
 * - the IP address the connection arrived at: with a wildcard bind every address of the machine is
 *   one the server listens on, and a rebinding page can only ever send a name, never an IP literal;
 * - what the operator allowed (`--allow-host`): `name` (with the server's port) or `name:port`.
 *
 * Names compare case-insensitively and must match exactly: `localhost.` or `evil.localhost` are
 * other names. A request without a `Host` header is refused.
 */
import { isIP } from 'node:net';

export interface HostPolicyOptions {
  /** The address given to listen(), e.g. 127.0.0.1, ::1, 0.0.0.0 or a host name. */
  readonly boundHost: string;
  /** The port actually bound. */
  readonly port: number;
  /** Extra names, `name` or `name:port` (IPv6 addresses in brackets). */
  readonly allowedHosts?: readonly string[];
}

/** Tells whether a Host header (and the local address of its connection) names this server. */
export type HostPolicy = (host: string | undefined, localAddress: string | undefined) => boolean;

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export function hostPolicy(options: HostPolicyOptions): HostPolicy {
  const { port } = options;
  const accepted = new Set<string>();
  const addName = (name: string, at: number) => accepted.add(`${name.toLowerCase()}:${at}`);
  for (const name of LOOPBACK_NAMES) addName(name, port);
  addName(hostLiteral(options.boundHost), port);
  for (const entry of options.allowedHosts ?? []) {
    const parsed = parseHost(entry);
    if (parsed) addName(parsed.name, parsed.port ?? port);
  }

  // A Host header that is exactly one of these (what clients send) needs no parsing: checked on every request.
  const exact = new Set([...accepted].filter((entry) => {
    const parsed = parseHost(entry);
    return parsed !== undefined && `${parsed.name}:${parsed.port ?? 80}` === entry;
  }));

  return (host, localAddress) => {
    if (host !== undefined && exact.has(host)) return true;
    const parsed = host === undefined ? undefined : parseHost(host);
    if (!parsed) return false;
    const at = parsed.port ?? 80;
    if (accepted.has(`${parsed.name}:${at}`)) return true;
    return at === port && localAddress !== undefined && parsed.name === hostLiteral(unmapped(localAddress));
  };
}

/** `name[:port]` → lower-case name (IPv6 kept in brackets) and port; undefined when malformed. */
export function parseHost(value: string): { name: string; port?: number } | undefined {
  const text = value.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]\s/]+)(?::(\d{1,5}))?$/.exec(text);
  if (!match?.[1]) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && port > 65535) return undefined;
  return port === undefined ? { name: match[1] } : { name: match[1], port };
}

/** How an address appears in a Host header: IPv6 in brackets. */
function hostLiteral(address: string): string {
  return isIP(address) === 6 ? `[${address.toLowerCase()}]` : address.toLowerCase();
}

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) → `192.0.2.1`. */
function unmapped(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
