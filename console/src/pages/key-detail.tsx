// One key: general configuration, then tabs as in the AWS console (key policy, cryptographic configuration, key
// material, tags, key rotation, aliases), its grants and its activity. The open tab is part of the URL (#/keys/<ref>?tab=<id>).
import type { RotationsListEntry } from '@aws-sdk/client-kms';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import Tabs, { type TabsProps } from '@cloudscape-design/components/tabs';
import { useCallback, useEffect, useState } from 'react';
import { loadKeyDetail, type KeyDetail } from '../api';
import { ApiErrorAlert } from '../components/api-error';
import { KeyActionsMenu, useKeyActions, type ActionTarget } from '../components/key-actions';
import { KeyStateIndicator } from '../components/key-state';
import { useConsole } from '../context';
import { formatDate } from '../format';
import { isAsymmetric } from '../key-specs';
import { AliasesTab } from '../key-tabs/aliases-tab';
import { CryptoTab } from '../key-tabs/crypto-tab';
import { GrantsTab } from '../key-tabs/grants-tab';
import { KeyMaterialTab } from '../key-tabs/material-tab';
import { PolicyTab } from '../key-tabs/policy-tab';
import { PublicKeyTab } from '../key-tabs/public-key-tab';
import { RotationTab } from '../key-tabs/rotation-tab';
import { TagsTab } from '../key-tabs/tags-tab';
import { navigate } from '../router';
import { ActivityTable } from './activity';

/** "alias/signing-key" → "signing-key-public-key": a file name without the slash. */
function publicKeyFileName(name: string): string {
  return `${name.replace(/^alias\//, '').replace(/[^A-Za-z0-9_.-]/g, '_')}-public-key`;
}

export function KeyDetailPage({ keyRef, tab }: { keyRef: string; tab?: string }) {
  const { kms } = useConsole();
  const [detail, setDetail] = useState<KeyDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [selectedMaterial, setSelectedMaterial] = useState<RotationsListEntry | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setDetail(await loadKeyDetail(kms, keyRef));
      setError(null);
    } catch (e) {
      setDetail(null);
      setError(e);
    } finally {
      setLoading(false);
    }
  }, [kms, keyRef]);
  useEffect(() => { void load(); }, [load]);
  useEffect(() => { setSelectedMaterial(null); }, [detail]);

  const { open, dialogs } = useKeyActions(() => void load());

  if (!detail) {
    return (
      <SpaceBetween size="m">
        <Header variant="h1">{keyRef}</Header>
        {loading ? <Spinner size="large" /> : error !== null && <ApiErrorAlert error={error} />}
      </SpaceBetween>
    );
  }

  const key = detail.metadata;
  const keyId = key.KeyId ?? '';
  const aliasNames = detail.aliases.map((a) => a.AliasName ?? '').filter(Boolean).sort();
  const target: ActionTarget = { metadata: key, displayName: aliasNames[0] ?? keyId };
  const reload = () => void load();

  const tabs: TabsProps.Tab[] = [
    { id: 'policy', label: 'Key policy', content: <PolicyTab keyId={keyId} /> },
    { id: 'crypto', label: 'Cryptographic configuration', content: <CryptoTab metadata={key} /> },
    ...(key.Origin === 'EXTERNAL' ? [{
      id: 'material', label: 'Key material', content: (
        <KeyMaterialTab detail={detail} onExpired={reload}
          selected={selectedMaterial} onSelect={setSelectedMaterial}
          onDelete={() => open('delete-material', [target], selectedMaterial ? {
            keyMaterialId: selectedMaterial.KeyMaterialId,
            pendingRotation: selectedMaterial.KeyMaterialState?.startsWith('PENDING_') ?? false,
          } : {})} />
      ),
    }] : []),
    ...(isAsymmetric(key) ? [{ id: 'public-key', label: 'Public key', content: <PublicKeyTab keyId={keyId} fileName={publicKeyFileName(aliasNames[0] ?? keyId)} /> }] : []),
    { id: 'tags', label: 'Tags', content: <TagsTab keyId={keyId} tags={detail.tags} onChanged={reload} /> },
    // Only symmetric encryption keys rotate (automatically or on demand), as in AWS.
    ...(key.KeySpec === 'SYMMETRIC_DEFAULT' ? [{ id: 'rotation', label: 'Key rotation', content: <RotationTab metadata={key} onChanged={reload} /> }] : []),
    { id: 'aliases', label: 'Aliases', content: <AliasesTab keyId={keyId} aliases={detail.aliases} onChanged={reload} /> },
    { id: 'grants', label: 'Grants', content: <GrantsTab keyId={keyId} /> },
    ...(key.Arn ? [{ id: 'activity', label: 'Activity', content: <ActivityTable keyArn={key.Arn} /> }] : []),
  ];
  // A key with imported material opens on it: its state is what a BYOK user comes to see.
  const fallback = key.Origin === 'EXTERNAL' ? 'material' : 'policy';
  const active = tabs.some((t) => t.id === tab) ? tab! : fallback;

  return (
    <SpaceBetween size="l">
      <Header
        variant="h1"
        description={aliasNames.length ? keyId : undefined}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button iconName="refresh" ariaLabel="Refresh key" loading={loading} onClick={reload} />
            <KeyActionsMenu targets={[target]} onAction={(action) => open(action, [target])} />
          </SpaceBetween>
        }
      >
        {aliasNames[0] ?? keyId}
      </Header>
      {error !== null && <ApiErrorAlert error={error} />}

      <Container header={<Header variant="h2">General configuration</Header>}>
        <KeyValuePairs columns={3} ariaLabel="General configuration" items={[
          { label: 'ARN', value: key.Arn ? <CopyToClipboard variant="inline" textToCopy={key.Arn} copyButtonAriaLabel="Copy ARN"
            copySuccessText="ARN copied" copyErrorText="ARN not copied" /> : '-' },
          { label: 'Key ID', value: keyId },
          { label: 'Status', value: <KeyStateIndicator state={key.KeyState} /> },
          { label: 'Creation date', value: formatDate(key.CreationDate) },
          { label: 'Description', value: key.Description || '-' },
          { label: 'Regionality', value: key.MultiRegion ? 'Multi-Region' : 'Single Region' },
          ...(key.DeletionDate ? [{ label: 'Scheduled deletion date', value: formatDate(key.DeletionDate) }] : []),
        ]} />
      </Container>

      <Tabs
        ariaLabel="Key details"
        activeTabId={active}
        onChange={({ detail: d }) => navigate({ page: 'key', keyRef, tab: d.activeTabId })}
        tabs={tabs}
      />
      {dialogs}
    </SpaceBetween>
  );
}
