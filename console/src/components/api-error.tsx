import Alert from '@cloudscape-design/components/alert';
import { apiErrorText } from '../format';

/** An API error exactly as the API states it: the exception name, then its message. Announced when it appears. */
export function ApiErrorAlert({ error, header }: { error: unknown; header?: string }) {
  const { name, message } = apiErrorText(error);
  return (
    <div role="alert">
      <Alert type="error" header={header ?? name}>
        {header ? `${name}: ${message}` : message}
      </Alert>
    </div>
  );
}
