import '@cloudscape-design/global-styles/index.css';
import { I18nProvider } from '@cloudscape-design/components/i18n';
import messages from '@cloudscape-design/components/i18n/messages/all.en';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { ConsoleProvider } from './context';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider locale="en" messages={[messages]}>
      <ConsoleProvider>
        <App />
      </ConsoleProvider>
    </I18nProvider>
  </StrictMode>,
);
