/** Where WebSocket clients may put the token besides the `Authorization` header. */
export interface WebSocketTokenOptions {
  /**
   * A query parameter of the handshake URL that may carry the token, for browsers, which cannot set
   * headers on a WebSocket. Off unless named: URLs end up in logs.
   */
  queryParameter?: string;
}
