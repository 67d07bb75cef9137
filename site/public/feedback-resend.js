// The feedback form's "check your answers" page after 503 storage_unavailable (issue #9 "Faults"):
// the answers are in the form's hidden fields, so the same post (same Idempotency-Key, stored
// once however often it is sent) goes again after the server's Retry-After. Offline, it waits for
// the network. Without JavaScript the citizen presses Send; the page says so.
(() => {
  const note = document.querySelector('[data-retry-after]');
  const form = document.querySelector('[data-testid="check-form"]');
  const send = document.getElementById('feedback-send');
  if (!note || !form || !send) return;
  const resend = () => {
    if (navigator.onLine) form.requestSubmit(send);
    else window.addEventListener('online', () => form.requestSubmit(send), { once: true });
  };
  setTimeout(resend, Math.max(1, Number(note.getAttribute('data-retry-after'))) * 1000);
})();
