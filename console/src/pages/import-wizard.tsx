// Import key material of every importable spec: wrapping settings → wrapping key and import token → key material
// file (wrapped elsewhere, or wrapped here with WebCrypto RSA-OAEP where the algorithm allows) → expiry.
import {
  DescribeKeyCommand, GetParametersForImportCommand, ImportKeyMaterialCommand,
  type ImportKeyMaterialCommandInput, type KeyMetadata,
} from '@aws-sdk/client-kms';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import DatePicker from '@cloudscape-design/components/date-picker';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import FileUpload from '@cloudscape-design/components/file-upload';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import RadioGroup from '@cloudscape-design/components/radio-group';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import TimeInput from '@cloudscape-design/components/time-input';
import Wizard from '@cloudscape-design/components/wizard';
import { useEffect, useState } from 'react';
import { listAllAliases } from '../api';
import { ApiErrorAlert } from '../components/api-error';
import { useConsole } from '../context';
import { apiErrorLine, formatBytes, formatDate } from '../format';
import { importRuleOf, type ImportRule } from '../key-specs';
import { navigate } from '../router';
import {
  canWrapInBrowser, downloadBytes, oaepCapacity, opensslCommands, pkcs8Der, readFileBytes, webCryptoAvailable,
  wrapMaterialInBrowser, WRAPPING_KEY_SPECS, type WrappingAlgorithm, type WrappingKeySpec,
} from '../wrap';

interface ImportParameters {
  algorithm: WrappingAlgorithm;
  spec: WrappingKeySpec;
  publicKey: Uint8Array;
  importToken: Uint8Array;
  validTo: Date | undefined;
}

type Source = 'wrapped' | 'raw';
type ImportTypeChoice = '' | 'EXISTING_KEY_MATERIAL' | 'NEW_KEY_MATERIAL';

const ALGORITHM_DESCRIPTIONS: Record<WrappingAlgorithm, string> = {
  RSAES_OAEP_SHA_256: 'RSA-OAEP with SHA-256.',
  RSAES_OAEP_SHA_1: 'RSA-OAEP with SHA-1.',
  RSA_AES_KEY_WRAP_SHA_256: 'A fresh AES key wraps the material (AES key wrap with padding, RFC 5649); RSA-OAEP SHA-256 wraps the AES key.',
  RSA_AES_KEY_WRAP_SHA_1: 'A fresh AES key wraps the material (AES key wrap with padding, RFC 5649); RSA-OAEP SHA-1 wraps the AES key.',
};

const FILE_UPLOAD_STRINGS = {
  uploadButtonText: () => 'Choose file',
  dropzoneText: () => 'Drop file to upload',
  removeFileAriaLabel: (_: number, name: string) => `Remove file ${name}`,
  errorIconAriaLabel: 'Error',
  warningIconAriaLabel: 'Warning',
};

/** Default expiry: 90 days from now, at midnight UTC. */
function defaultExpiryDate(): string {
  return new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
}

export function ImportWizardPage({ keyRef }: { keyRef: string }) {
  const { kms, notify } = useConsole();
  const [key, setKey] = useState<KeyMetadata | null>(null);
  const [aliasName, setAliasName] = useState<string | undefined>();
  const [keyError, setKeyError] = useState<unknown>(null);
  const [step, setStep] = useState(0);
  const [spec, setSpec] = useState<WrappingKeySpec>('RSA_2048');
  const [algorithm, setAlgorithm] = useState<WrappingAlgorithm | null>(null);
  const [params, setParams] = useState<ImportParameters | null>(null);
  const [loadingParams, setLoadingParams] = useState(false);
  const [paramsError, setParamsError] = useState<unknown>(null);
  const [source, setSource] = useState<Source>('wrapped');
  const [wrappedFiles, setWrappedFiles] = useState<File[]>([]);
  const [tokenFiles, setTokenFiles] = useState<File[]>([]);
  const [rawFiles, setRawFiles] = useState<File[]>([]);
  const [materialError, setMaterialError] = useState<string | null>(null);
  const [importType, setImportType] = useState<ImportTypeChoice>('');
  const [materialDescription, setMaterialDescription] = useState('');
  const [expires, setExpires] = useState<'expires' | 'never'>('expires');
  const [date, setDate] = useState(defaultExpiryDate);
  const [time, setTime] = useState('00:00:00');
  const [expiryError, setExpiryError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<unknown>(null);

  useEffect(() => {
    (async () => {
      const out = await kms.send(new DescribeKeyCommand({ KeyId: keyRef }));
      const aliases = await listAllAliases(kms, out.KeyMetadata?.KeyId);
      setAliasName(aliases.map((a) => a.AliasName).filter((n) => n !== undefined).sort()[0]);
      setKey(out.KeyMetadata ?? null);
      setAlgorithm(importRuleOf(out.KeyMetadata?.KeySpec)?.algorithms[0] ?? 'RSAES_OAEP_SHA_256');
      setKeyError(null);
    })().catch((e: unknown) => setKeyError(e));
  }, [kms, keyRef]);

  const inBrowser = algorithm !== null && canWrapInBrowser(algorithm);
  useEffect(() => { if (!inBrowser) setSource('wrapped'); }, [inBrowser]);

  if (!key || !algorithm) {
    return (
      <SpaceBetween size="m">
        <Header variant="h1">Import key material</Header>
        {keyError !== null ? <ApiErrorAlert error={keyError} /> : <Spinner size="large" />}
      </SpaceBetween>
    );
  }
  const keyId = key.KeyId ?? '';
  const name = aliasName ?? keyId;
  const rule: ImportRule | undefined = importRuleOf(key.KeySpec);
  const symmetric = key.KeySpec === 'SYMMETRIC_DEFAULT';

  const fetchParameters = async (): Promise<boolean> => {
    if (params && params.algorithm === algorithm && params.spec === spec) return true;
    setLoadingParams(true);
    setParamsError(null);
    try {
      const out = await kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: spec }));
      if (!out.PublicKey || !out.ImportToken) throw new Error('GetParametersForImport returned no public key or import token');
      setParams({ algorithm, spec, publicKey: out.PublicKey, importToken: out.ImportToken, validTo: out.ParametersValidTo });
      return true;
    } catch (e) {
      setParamsError(e);
      return false;
    } finally {
      setLoadingParams(false);
    }
  };

  /** The bytes the browser wraps: raw material as it is, a private key as PKCS#8 DER; or why it cannot. */
  const plaintextMaterial = async (): Promise<Uint8Array | string> => {
    const file = rawFiles[0];
    if (!file || !rule) return 'Choose the file with the key material.';
    const bytes = await readFileBytes(file);
    let material: Uint8Array;
    if (rule.format === 'PKCS8') {
      try {
        material = pkcs8Der(bytes);
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    } else {
      material = bytes;
      if (material.length < (rule.minBytes ?? 0) || material.length > (rule.maxBytes ?? Infinity)) {
        return `${key.KeySpec} key material is ${rule.materialText}; this file has ${formatBytes(material.length)}.`;
      }
    }
    const capacity = oaepCapacity(spec, algorithm);
    if (material.length > capacity) {
      return `${algorithm} with a ${spec} wrapping key carries at most ${formatBytes(capacity)}; this key material has ${formatBytes(material.length)}. Choose a larger wrapping key spec, or an RSA_AES_KEY_WRAP algorithm and wrap with OpenSSL.`;
    }
    return material;
  };

  const materialValid = async (): Promise<boolean> => {
    if (source === 'wrapped' && wrappedFiles.length === 0) {
      setMaterialError('Choose the file with the wrapped (encrypted) key material.');
      return false;
    }
    if (source === 'raw') {
      if (!webCryptoAvailable()) {
        setMaterialError('This page is not a secure context, so the browser offers no WebCrypto. Open the console over HTTPS or on localhost, or upload wrapped material.');
        return false;
      }
      const material = await plaintextMaterial();
      if (typeof material === 'string') { setMaterialError(material); return false; }
      material.fill(0);
    }
    setMaterialError(null);
    return true;
  };

  const validTo = (): Date | undefined => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}(:\d{2})?$/.test(time)) return undefined;
    const parsed = new Date(`${date}T${time.length === 5 ? `${time}:00` : time}Z`);
    return Number.isNaN(parsed.getTime()) ? undefined : parsed;
  };

  const expiryValid = (): boolean => {
    if (expires === 'expires' && !validTo()) {
      setExpiryError('Enter a date (YYYY/MM/DD) and a time (hh:mm:ss, UTC).');
      return false;
    }
    setExpiryError(null);
    return true;
  };

  const onNavigate = async (requested: number) => {
    if (requested <= step) { setStep(requested); return; }
    if (step === 0 && !(await fetchParameters())) return;
    if (step === 2 && !(await materialValid())) return;
    setStep(requested);
  };

  const submit = async () => {
    if (!params || !(await materialValid()) || !expiryValid()) return;
    setSubmitting(true);
    setSubmitError(null);
    try {
      let encrypted: Uint8Array;
      if (source === 'wrapped') {
        encrypted = await readFileBytes(wrappedFiles[0]!);
      } else {
        const material = await plaintextMaterial();
        if (typeof material === 'string') throw new Error(material);
        try {
          encrypted = await wrapMaterialInBrowser(params.publicKey, params.algorithm, material);
        } finally {
          material.fill(0); // the plaintext key material leaves this page only wrapped
        }
      }
      const token = tokenFiles[0] ? await readFileBytes(tokenFiles[0]) : params.importToken;
      const input: ImportKeyMaterialCommandInput = {
        KeyId: keyId,
        ImportToken: token,
        EncryptedKeyMaterial: encrypted,
        ExpirationModel: expires === 'expires' ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ...(expires === 'expires' ? { ValidTo: validTo() } : {}),
        ...(importType ? { ImportType: importType } : {}),
        ...(materialDescription.trim() ? { KeyMaterialDescription: materialDescription.trim() } : {}),
      };
      const out = await kms.send(new ImportKeyMaterialCommand(input));
      notify({ type: 'success', header: `Key material imported into ${name}`,
        content: out.KeyMaterialId ? `Key material ID ${out.KeyMaterialId}` : undefined });
      navigate({ page: 'key', keyRef: keyId });
    } catch (e) {
      setSubmitError(e);
    } finally {
      setSubmitting(false);
    }
  };

  const notExternal = key.Origin !== 'EXTERNAL';
  const wrappingStep = (
    <Container header={<Header variant="h2">Wrapping settings</Header>}>
      <SpaceBetween size="l">
        {notExternal && <Alert type="warning">This key's origin is {key.Origin}: only keys with origin External accept imported key material.</Alert>}
        {!rule && <Alert type="warning">{key.KeySpec} keys take no imported key material: AWS KMS generates ML-DSA key material itself.</Alert>}
        {rule && (
          <Box>
            {key.KeySpec} key material is {rule.materialText}.
            {rule.algorithms.every((a) => !canWrapInBrowser(a)) && ' An RSA private key is larger than RSA-OAEP can carry, so only the RSA_AES_KEY_WRAP algorithms take it.'}
          </Box>
        )}
        <FormField label="Wrapping key spec" description="The RSA key pair that protects the key material in transit.">
          <Select selectedOption={{ value: spec, label: spec }} options={WRAPPING_KEY_SPECS.map((s) => ({ value: s, label: s }))}
            onChange={({ detail }) => setSpec(detail.selectedOption.value as WrappingKeySpec)} />
        </FormField>
        <FormField label="Wrapping algorithm">
          <RadioGroup value={algorithm} onChange={({ detail }) => setAlgorithm(detail.value as WrappingAlgorithm)}
            items={(rule?.algorithms ?? []).map((a) => ({ value: a, label: a, description: ALGORITHM_DESCRIPTIONS[a] }))} />
        </FormField>
      </SpaceBetween>
    </Container>
  );

  const downloadStep = params && (
    <Container header={<Header variant="h2" description="Wrap your key material with this public key, then import it with this token.">
      Wrapping public key and import token</Header>}>
      <SpaceBetween size="l">
        <KeyValuePairs columns={3} items={[
          { label: 'Wrapping algorithm', value: params.algorithm },
          { label: 'Wrapping key spec', value: params.spec },
          { label: 'Valid until', value: formatDate(params.validTo) },
        ]} />
        <SpaceBetween direction="horizontal" size="xs">
          <Button iconName="download" onClick={() => downloadBytes(params.publicKey, 'WrappingPublicKey.bin')}>Download wrapping public key</Button>
          <Button iconName="download" onClick={() => downloadBytes(params.importToken, 'ImportToken.bin')}>Download import token</Button>
        </SpaceBetween>
        <Box variant="p">
          The public key is DER-encoded (X.509 SubjectPublicKeyInfo). The token and the public key belong together and
          are valid for 24 hours; the token works only for this key.
        </Box>
        <ExpandableSection headerText="Wrap key material with OpenSSL">
          <OpensslCommands algorithm={params.algorithm} rule={rule} />
        </ExpandableSection>
      </SpaceBetween>
    </Container>
  );

  const materialStep = (
    <Container header={<Header variant="h2">Key material</Header>}>
      <SpaceBetween size="l">
        <FormField label="How do you provide the key material?">
          <RadioGroup value={source} onChange={({ detail }) => { setSource(detail.value as Source); setMaterialError(null); }} items={[
            { value: 'wrapped', label: 'Upload wrapped key material',
              description: `A file you encrypted with the downloaded wrapping public key using ${algorithm}.` },
            { value: 'raw', label: 'Wrap raw key material in this browser', disabled: !inBrowser,
              description: inBrowser
                ? `Choose the file with ${rule?.materialText ?? 'the key material'}; the browser wraps it with WebCrypto RSA-OAEP. The plaintext is not sent anywhere.`
                : `Not available for ${algorithm}: it needs AES key wrap with padding (RFC 5649), which browsers do not provide (WebCrypto's AES-KW is RFC 3394 and gives a different result). Wrap the material with the OpenSSL commands below and upload the result${rule?.algorithms.some(canWrapInBrowser) ? ', or choose an RSAES_OAEP algorithm' : ''}.` },
          ]} />
        </FormField>
        {source === 'wrapped' ? (
          <>
            <FormField label="Wrapped key material" description="For example EncryptedKeyMaterial.bin.">
              <FileUpload value={wrappedFiles} onChange={({ detail }) => { setWrappedFiles(detail.value); setMaterialError(null); }}
                i18nStrings={FILE_UPLOAD_STRINGS} showFileSize />
            </FormField>
            <FormField label={<span>Import token <Box variant="span" color="text-body-secondary">- optional</Box></span>}
              description="Leave empty to use the token from the previous step. Choose a file when you wrapped the material with a public key downloaded earlier.">
              <FileUpload value={tokenFiles} onChange={({ detail }) => setTokenFiles(detail.value)}
                i18nStrings={FILE_UPLOAD_STRINGS} showFileSize />
            </FormField>
            {!inBrowser && (
              <ExpandableSection headerText="Wrap key material with OpenSSL" defaultExpanded variant="container">
                <OpensslCommands algorithm={algorithm} rule={rule} />
              </ExpandableSection>
            )}
          </>
        ) : (
          <FormField label="Raw key material" description={`${upperFirst(rule?.materialText ?? '')}, for example ${rule?.format === 'PKCS8' ? 'private-key.pem' : 'PlaintextKeyMaterial.bin'}.`}>
            <FileUpload value={rawFiles} onChange={({ detail }) => { setRawFiles(detail.value); setMaterialError(null); }}
              i18nStrings={FILE_UPLOAD_STRINGS} showFileSize />
          </FormField>
        )}
        {symmetric && <ExpandableSection headerText="Advanced: import type and description">
          <SpaceBetween size="m">
            <FormField label="Import type" description="By default the service imports new material into a key that never had any, and otherwise expects the same material again.">
              <Select selectedOption={{ value: importType, label: importTypeLabel(importType) }}
                options={(['', 'EXISTING_KEY_MATERIAL', 'NEW_KEY_MATERIAL'] as ImportTypeChoice[]).map((v) => ({ value: v, label: importTypeLabel(v) }))}
                onChange={({ detail }) => setImportType(detail.selectedOption.value as ImportTypeChoice)} />
            </FormField>
            <FormField label={<span>Key material description <Box variant="span" color="text-body-secondary">- optional</Box></span>}>
              <Input value={materialDescription} onChange={({ detail }) => setMaterialDescription(detail.value)} />
            </FormField>
          </SpaceBetween>
        </ExpandableSection>}
      </SpaceBetween>
    </Container>
  );

  const expiryStep = (
    <SpaceBetween size="l">
      <Container header={<Header variant="h2">Key material expiration</Header>}>
        <SpaceBetween size="l">
          <RadioGroup value={expires} onChange={({ detail }) => { setExpires(detail.value as 'expires' | 'never'); setExpiryError(null); }} items={[
            { value: 'expires', label: 'Key material expires',
              description: 'At the expiration time the service deletes the key material and the key becomes Pending import until you import the same material again.' },
            { value: 'never', label: 'Key material does not expire' },
          ]} />
          {expires === 'expires' && (
            <SpaceBetween direction="horizontal" size="l">
              <FormField label="Expiration date" constraintText="YYYY/MM/DD, at most 365 days ahead.">
                <DatePicker value={date} onChange={({ detail }) => setDate(detail.value)} placeholder="YYYY/MM/DD"
                  openCalendarAriaLabel={(selected) => `Choose expiration date${selected ? `, selected date is ${selected}` : ''}`} />
              </FormField>
              <FormField label="Expiration time (UTC)" constraintText="hh:mm:ss, 24-hour clock.">
                <TimeInput value={time} onChange={({ detail }) => setTime(detail.value)} format="hh:mm:ss" placeholder="hh:mm:ss" use24Hour />
              </FormField>
            </SpaceBetween>
          )}
        </SpaceBetween>
      </Container>
      <Container header={<Header variant="h2">Review</Header>}>
        <KeyValuePairs columns={3} items={[
          { label: 'Key', value: name },
          { label: 'Wrapping', value: `${algorithm}, ${spec}` },
          { label: 'Key material', value: source === 'wrapped' ? (wrappedFiles[0]?.name ?? '-') : `${rawFiles[0]?.name ?? '-'} (wrapped in this browser)` },
          { label: 'Expires', value: expires === 'never' ? 'Never' : formatDate(validTo()) },
        ]} />
      </Container>
      {submitError !== null && <ApiErrorAlert error={submitError} />}
    </SpaceBetween>
  );

  return (
    <Wizard
      activeStepIndex={step}
      isLoadingNextStep={loadingParams || submitting}
      onNavigate={({ detail }) => void onNavigate(detail.requestedStepIndex)}
      onCancel={() => navigate({ page: 'key', keyRef: keyId })}
      onSubmit={() => void submit()}
      submitButtonText="Import key material"
      i18nStrings={{
        stepNumberLabel: (n) => `Step ${n}`,
        collapsedStepsLabel: (n, count) => `Step ${n} of ${count}`,
        navigationAriaLabel: 'Steps',
        cancelButton: 'Cancel',
        previousButton: 'Previous',
        nextButton: 'Next',
        optional: 'optional',
      }}
      steps={[
        { title: 'Choose wrapping settings', description: `Import key material into ${name}.`,
          content: wrappingStep, errorText: paramsError !== null ? apiErrorLine(paramsError) : undefined },
        { title: 'Download wrapping public key and import token', content: downloadStep ?? <Spinner /> },
        { title: 'Upload key material', content: materialStep, errorText: materialError ?? undefined },
        { title: 'Set expiration and import', content: expiryStep, errorText: expiryError ?? undefined },
      ]}
    />
  );
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The exact commands, in a block a user can copy. */
function OpensslCommands({ algorithm, rule }: { algorithm: WrappingAlgorithm; rule: ImportRule | undefined }) {
  const commands = opensslCommands(algorithm, rule?.format ?? 'RAW');
  return (
    <SpaceBetween size="xs">
      <Box variant="p">Run these in the folder with <Box variant="code">WrappingPublicKey.bin</Box>
        {rule?.format === 'PKCS8' ? <> and your private key as <Box variant="code">private-key.pem</Box></> : <> and your key material as <Box variant="code">PlaintextKeyMaterial.bin</Box></>},
        then upload <Box variant="code">EncryptedKeyMaterial.bin</Box>.</Box>
      <CopyToClipboard variant="button" textToCopy={commands} copyButtonText="Copy commands"
        copySuccessText="Commands copied" copyErrorText="Commands not copied" />
      <Box variant="code"><pre aria-label="OpenSSL commands" style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{commands}</pre></Box>
    </SpaceBetween>
  );
}

function importTypeLabel(value: ImportTypeChoice): string {
  switch (value) {
    case '': return 'Service default';
    case 'EXISTING_KEY_MATERIAL': return 'EXISTING_KEY_MATERIAL (re-import)';
    case 'NEW_KEY_MATERIAL': return 'NEW_KEY_MATERIAL (for on-demand rotation)';
  }
}
