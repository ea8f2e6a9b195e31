import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import { ErrorCode } from '@tributary/protocol';
import type { Socket } from 'socket.io';

/**
 * Answers requests no gateway handles (a misspelt event, a request this broker version does
 * not serve yet) with UNSUPPORTED_VERSION at once. Without it socket.io drops them silently
 * and the client waits out its whole request timeout for an answer that never comes.
 */
@WebSocketGateway({ transports: ['websocket', 'polling'] })
export class UnhandledRequestsGateway implements OnGatewayConnection {
  handleConnection(socket: Socket): void {
    // onAny runs before socket.io dispatches the event, after every gateway subscribed its handlers.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      const ack = args[args.length - 1];
      if (typeof ack !== 'function' || (typeof event === 'string' && socket.listenerCount(event) > 0)) return;
      const name = typeof event === 'string' ? event.slice(0, 100) : typeof event;
      (ack as (response: unknown) => void)({
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        errorMessage: `this broker does not serve "${name}" requests`,
      });
    });
  }
}
