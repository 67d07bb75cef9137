/**
 * The receipt's copy and print buttons (issue #11 part 2). Rendered only in the browser
 * (`client:only`): without JavaScript the receipt still shows the code, key and link as text, and
 * the page says how to print it with the browser's own command.
 */
import { useState } from 'preact/hooks';

interface Props {
  /** What the copy button puts on the clipboard: the code, the key and the link, one per line. */
  text: string;
  strings: { copy: string; copied: string; copyFailed: string; print: string };
}

export default function ReceiptTools({ text, strings }: Props) {
  const [status, setStatus] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setStatus(strings.copied);
    } catch {
      // No clipboard permission (an embedded browser, an old phone): the text is on the page.
      setStatus(strings.copyFailed);
    }
  };
  return (
    <div class="receipt-tools no-print">
      <p class="button-row">
        <button type="button" class="button-secondary" onClick={() => void copy()} data-testid="copy-receipt">
          {strings.copy}
        </button>
        <button type="button" class="button-secondary" onClick={() => window.print()} data-testid="print-receipt">
          {strings.print}
        </button>
      </p>
      <p role="status" data-testid="copy-status">
        {status}
      </p>
    </div>
  );
}
