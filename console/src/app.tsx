// The console shell: top bar, side navigation, breadcrumbs, notifications, and the page for the current route.
import AppLayout from '@cloudscape-design/components/app-layout';
import BreadcrumbGroup, { type BreadcrumbGroupProps } from '@cloudscape-design/components/breadcrumb-group';
import Flashbar from '@cloudscape-design/components/flashbar';
import SideNavigation from '@cloudscape-design/components/side-navigation';
import TopNavigation from '@cloudscape-design/components/top-navigation';
import { useEffect } from 'react';
import { useConsole } from './context';
import { ActivityPage } from './pages/activity';
import { CreateKeyPage } from './pages/create-key';
import { ImportWizardPage } from './pages/import-wizard';
import { KeyDetailPage } from './pages/key-detail';
import { KeysListPage } from './pages/keys-list';
import { SettingsPage } from './pages/settings-page';
import { href, navigate, useRoute, type Route } from './router';
import { effectiveEndpoint } from './settings';

function breadcrumbs(route: Route): BreadcrumbGroupProps.Item[] {
  const keys = { text: 'Customer managed keys', href: href({ page: 'keys' }) };
  switch (route.page) {
    case 'keys': case 'not-found': return [keys];
    case 'key': return [keys, { text: route.keyRef, href: href(route) }];
    case 'import': return [keys, { text: route.keyRef, href: href({ page: 'key', keyRef: route.keyRef }) }, { text: 'Import key material', href: href(route) }];
    case 'create': return [keys, { text: 'Create key', href: href(route) }];
    case 'settings': return [{ text: 'Settings', href: href(route) }];
    case 'activity': return [{ text: 'Activity', href: href(route) }];
  }
}

function title(route: Route): string {
  switch (route.page) {
    case 'keys': case 'not-found': return 'Customer managed keys';
    case 'key': return route.keyRef;
    case 'import': return `Import key material - ${route.keyRef}`;
    case 'create': return 'Create key';
    case 'settings': return 'Settings';
    case 'activity': return 'Activity';
  }
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'keys': case 'not-found': return <KeysListPage />;
    // `key` remounts the page when another key is opened, so no state leaks between keys.
    case 'key': return <KeyDetailPage key={route.keyRef} keyRef={route.keyRef} tab={route.tab} />;
    case 'import': return <ImportWizardPage key={route.keyRef} keyRef={route.keyRef} />;
    case 'create': return <CreateKeyPage />;
    case 'settings': return <SettingsPage />;
    case 'activity': return <ActivityPage />;
  }
}

/** Follows in-page links without a full reload (Cloudscape passes the click here). */
function follow(event: CustomEvent<{ href?: string; external?: boolean }>) {
  if (event.detail.external || !event.detail.href?.startsWith('#')) return;
  event.preventDefault();
  window.location.hash = event.detail.href;
}

export function App() {
  const route = useRoute();
  const { settings, account, notices } = useConsole();
  const accountText = account.state === 'known' ? account.account : account.state === 'loading' ? '…' : 'unknown';
  useEffect(() => { document.title = `${title(route)} | byok-kms console`; }, [route]);
  const active = route.page === 'settings' ? href(route) : href({ page: 'keys' });
  return (
    <>
      <div id="top-nav" style={{ position: 'sticky', top: 0, zIndex: 1002 }}>
        <TopNavigation
          identity={{ href: href({ page: 'keys' }), title: 'byok-kms console', onFollow: () => navigate({ page: 'keys' }) }}
          utilities={[
            {
              type: 'button',
              text: `Account ${accountText} · ${settings.region}`,
              // The accessible name starts with the visible text (WCAG 2.5.3), then says more.
              ariaLabel: `Account ${accountText} · ${settings.region}, endpoint ${effectiveEndpoint(settings)}. Open settings`,
              href: href({ page: 'settings' }),
              disableTextCollapse: true,
            },
            { type: 'button', iconName: 'settings', text: 'Settings', href: href({ page: 'settings' }) },
          ]}
        />
      </div>
      <AppLayout
        headerSelector="#top-nav"
        toolsHide
        navigation={
          <SideNavigation
            header={{ text: 'Key Management', href: href({ page: 'keys' }) }}
            activeHref={route.page === 'activity' ? href(route) : active}
            onFollow={follow}
            items={[
              { type: 'link', text: 'Customer managed keys', href: href({ page: 'keys' }) },
              { type: 'link', text: 'Create key', href: href({ page: 'create' }) },
              { type: 'link', text: 'Activity', href: href({ page: 'activity' }) },
              { type: 'divider' },
              { type: 'link', text: 'Settings', href: href({ page: 'settings' }) },
            ]}
          />
        }
        breadcrumbs={<BreadcrumbGroup items={breadcrumbs(route)} onFollow={follow} ariaLabel="Breadcrumbs" />}
        notifications={<Flashbar items={notices} stackItems={false} />}
        content={<Page route={route} />}
      />
    </>
  );
}
