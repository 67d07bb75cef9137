/**
 * On the rating pages that have no form yet (choosing where you were served): sends any rating
 * still waiting in this browser from an earlier visit, and says so. Renders an empty status line
 * otherwise, so screen readers hear the message when it appears.
 */
import { useEffect, useState } from 'preact/hooks';
import { keepFlushing, readPending } from './rating-outbox.ts';

interface Props {
  strings: { pending: string; pendingSent: string };
}

export default function PendingRatings({ strings }: Props) {
  const [text, setText] = useState('');
  useEffect(() => {
    void readPending().then((list) => {
      if (list.length > 0) setText(strings.pending);
    });
    const f = keepFlushing((r) =>
      setText(r.waiting > 0 ? strings.pending : r.sent.length > 0 ? strings.pendingSent : ''),
    );
    return () => f.stop();
  }, []);
  return (
    <p class="rate-status" role="status" data-testid="rate-status">
      {text}
    </p>
  );
}
