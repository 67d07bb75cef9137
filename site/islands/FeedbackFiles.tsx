/**
 * The file input of feedback (issue #4: up to 5 files, JPEG, PNG or PDF, 10 MB each). Rendered on
 * the server as a plain `<input type=file>` that works without JavaScript; once hydrated it lists
 * the chosen files with their sizes and says at once when one will be refused, so a sender on a
 * slow connection does not upload 40 MB to learn that. The server's checks (magic bytes) still
 * decide: this only reads the type the browser reports.
 */
import { useState } from 'preact/hooks';

export interface FeedbackFilesStrings {
  chosen: string;
  tooMany: string;
  tooLarge: string;
  wrongType: string;
}

interface Props {
  id: string;
  describedBy?: string | undefined;
  invalid?: boolean;
  maxFiles: number;
  maxMb: number;
  accept: string;
  strings: FeedbackFilesStrings;
}

interface Picked {
  name: string;
  size: string;
  problem: string;
}

function sizeText(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1048576).toFixed(1)} MB`;
}

export default function FeedbackFiles({ id, describedBy, invalid, maxFiles, maxMb, accept, strings }: Props) {
  const [picked, setPicked] = useState<Picked[]>([]);
  const [tooMany, setTooMany] = useState(false);
  const allowed = accept.split(',');
  const onChange = (e: Event) => {
    const files = [...((e.currentTarget as HTMLInputElement).files ?? [])];
    setTooMany(files.length > maxFiles);
    setPicked(
      files.map((f) => ({
        name: f.name,
        size: sizeText(f.size),
        problem: !allowed.includes(f.type) ? strings.wrongType : f.size > maxMb * 1048576 ? strings.tooLarge : '',
      })),
    );
  };
  const listId = `${id}-chosen`;
  return (
    <>
      <input
        type="file"
        id={id}
        name="attachments"
        multiple
        accept={accept}
        aria-describedby={[describedBy, picked.length > 0 ? listId : ''].filter(Boolean).join(' ') || undefined}
        aria-invalid={invalid ? 'true' : undefined}
        onChange={onChange}
      />
      <div aria-live="polite" id={listId} data-testid={listId}>
        {picked.length > 0 && (
          <>
            <p class="hint">{strings.chosen}</p>
            <ul class="file-list">
              {picked.map((p) => (
                <li>
                  {p.name} ({p.size}){p.problem && <strong class="file-problem"> — {p.problem}</strong>}
                </li>
              ))}
            </ul>
            {tooMany && <p class="file-problem">{strings.tooMany}</p>}
          </>
        )}
      </div>
    </>
  );
}
