/**
 * The parts of the `smpp` package (0.5, untyped JavaScript) that api/sms/ uses: sessions (client
 * and server side), PDUs with their fields as properties, and the command_status codes.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export interface PDU {
    command: string;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): PDU;
  }

  export class Session extends EventEmitter {
    socket: Socket;
    send(pdu: PDU, responseCallback?: (pdu: PDU) => void, sendCallback?: (pdu: PDU) => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    bind_transceiver(options: Record<string, unknown>, responseCallback?: (pdu: PDU) => void): boolean;
    submit_sm(options: Record<string, unknown>, responseCallback?: (pdu: PDU) => void): boolean;
    deliver_sm(options: Record<string, unknown>, responseCallback?: (pdu: PDU) => void): boolean;
    enquire_link(options?: Record<string, unknown>, responseCallback?: (pdu: PDU) => void): boolean;
    unbind(options?: Record<string, unknown>, responseCallback?: (pdu: PDU) => void): boolean;
  }

  export interface Server extends NetServer {
    sessions: Session[];
  }

  interface Smpp {
    connect(
      options: { url?: string; host?: string; port?: number; auto_enquire_link_period?: number; tls?: boolean },
      listener?: () => void,
    ): Session;
    createServer(options: Record<string, unknown>, listener?: (session: Session) => void): Server;
    errors: Record<string, number>;
    ESME_ROK: number;
    ESME_RTHROTTLED: number;
    ESME_RBINDFAIL: number;
    ESME_RINVPASWD: number;
    ESME_RINVDSTADR: number;
    ESME_RX_T_APPN: number;
  }
  // A CommonJS module: Node hands its exports object to a default import.
  const smpp: Smpp;
  export default smpp;
}
