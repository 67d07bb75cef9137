/**
 * The messages, files and ratings of a case as the API answers them, to its sender
 * (./citizen-view.ts) and to staff (api/routes/staff-feedback.ts) alike.
 */
import type { CaseHistory } from '../../db/feedback-cases.ts';

type Purpose = 'answer' | 'info-request' | 'info-reply' | 'dispute';
type Author = 'citizen' | 'staff';

export function historyOut(history: CaseHistory) {
  return {
    messages: history.messages.map((m) => ({
      id: m.id,
      at: m.at,
      purpose: m.purpose as Purpose,
      author: m.author as Author,
      body: m.body,
    })),
    attachments: history.attachments.map((a) => ({
      id: a.id,
      message_id: a.messageId,
      author: a.author as Author,
      file_name: a.fileName,
      media_type: a.mediaType,
      size: a.size,
      created_at: a.createdAt,
    })),
    ratings: history.ratings.map((r) => ({
      message_id: r.messageId,
      at: r.at,
      satisfied: r.satisfied,
      reasons: r.reasons,
    })),
  };
}
