// Tags of a key: listed, and edited in one dialog (add, change a value, remove), sent as TagResource + UntagResource.
import { TagResourceCommand, UntagResourceCommand, type Tag } from '@aws-sdk/client-kms';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import Table from '@cloudscape-design/components/table';
import TagEditor, { type TagEditorProps } from '@cloudscape-design/components/tag-editor';
import { useState } from 'react';
import { CallDialog } from '../components/call-dialog';
import { useConsole } from '../context';
import { tagChanges } from '../tags';

/** KMS allows 50 tags per key. */
const TAG_LIMIT = 50;

export function TagsTab({ keyId, tags, onChanged }: { keyId: string; tags: Tag[]; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  return (
    <>
      <Table
        header={<Header variant="h2" counter={`(${tags.length})`}
          actions={<Button onClick={() => setEditing(true)}>Manage tags</Button>}>Tags</Header>}
        items={tags}
        ariaLabels={{ tableLabel: 'Tags' }}
        empty={<Box textAlign="center" color="inherit">No tags</Box>}
        columnDefinitions={[
          { id: 'key', header: 'Tag key', cell: (tag) => tag.TagKey },
          { id: 'value', header: 'Tag value', cell: (tag) => tag.TagValue || '-' },
        ]}
      />
      {editing && <ManageTagsDialog keyId={keyId} tags={tags} onClose={() => setEditing(false)} onChanged={onChanged} />}
    </>
  );
}

function ManageTagsDialog({ keyId, tags, onClose, onChanged }: { keyId: string; tags: Tag[]; onClose: () => void; onChanged: () => void }) {
  const { kms, notify } = useConsole();
  const [edited, setEdited] = useState<readonly TagEditorProps.Tag[]>(
    () => tags.map((t) => ({ key: t.TagKey ?? '', value: t.TagValue ?? '', existing: true })),
  );
  const [valid, setValid] = useState(true);
  const changes = tagChanges(tags, edited);
  const unchanged = changes.set.length === 0 && changes.remove.length === 0;

  const save = async () => {
    try {
      // Setting first: when it is refused (limits, reserved prefixes), nothing has changed yet.
      if (changes.set.length) await kms.send(new TagResourceCommand({ KeyId: keyId, Tags: changes.set }));
      if (changes.remove.length) await kms.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: changes.remove }));
    } catch (e) {
      onChanged(); // the tags set before a refused UntagResource are kept: show them
      throw e;
    }
    notify({ type: 'success', header: 'Tags saved',
      content: `${changes.set.length} set, ${changes.remove.length} removed.` });
  };

  return (
    <CallDialog size="large" header="Manage tags" confirmText="Save changes" disabled={!valid || unchanged} call={save}
      onClose={onClose} onChanged={onChanged}>
      <TagEditor tags={edited} tagLimit={TAG_LIMIT}
        onChange={({ detail }) => { setEdited(detail.tags); setValid(detail.valid); }} />
    </CallDialog>
  );
}
