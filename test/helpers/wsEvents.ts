/**
 * Network.webSocket* events as headless Chromium 156 sent them over CDP, recorded with `bdg cdp --events Network`
 * for a page that opens ws://…/echo?token=abc (the fixture server echoes), sends a text and a binary frame, gets
 * both back and closes; and a second socket whose handshake gets a 404.
 */
export const WS_EVENTS: ReadonlyArray<readonly [string, unknown]> = [
  [
    'Network.webSocketCreated',
    {
      requestId: '19389.2',
      url: 'ws://127.0.0.1:33687/echo?token=abc',
      initiator: {
        type: 'script',
        stack: { callFrames: [{ functionName: '', scriptId: '3', url: 'http://127.0.0.1:33687/', lineNumber: 1, columnNumber: 11 }] },
      },
    },
  ],
  [
    'Network.webSocketCreated',
    {
      requestId: '19389.3',
      url: 'ws://127.0.0.1:33687/nope',
      initiator: {
        type: 'script',
        stack: { callFrames: [{ functionName: '', scriptId: '3', url: 'http://127.0.0.1:33687/', lineNumber: 6, columnNumber: 12 }] },
      },
    },
  ],
  [
    'Network.webSocketWillSendHandshakeRequest',
    {
      requestId: '19389.2',
      timestamp: 3496.406998,
      wallTime: 1796166080.180187,
      request: {
        headers: {
          Upgrade: 'websocket',
          Origin: 'http://127.0.0.1:33687',
          'Cache-Control': 'no-cache',
          'Accept-Language': 'en-US,en;q=0.9',
          Pragma: 'no-cache',
          Connection: 'Upgrade',
          'Sec-WebSocket-Key': 'q9+75s4g8i6pbrLX1TnOvA==',
          'Accept-Encoding': 'gzip, deflate, br, zstd',
          'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36',
          'Sec-WebSocket-Version': '13',
          Host: '127.0.0.1:33687',
          'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits',
        },
      },
    },
  ],
  [
    'Network.webSocketHandshakeResponseReceived',
    {
      requestId: '19389.2',
      timestamp: 3496.417501,
      response: {
        status: 101,
        statusText: 'Switching Protocols',
        headers: { Upgrade: 'websocket', 'Sec-WebSocket-Accept': 'KzuOUKFYOTHzvuho6+kjr1Oxqv8=', Connection: 'Upgrade' },
        headersText:
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: KzuOUKFYOTHzvuho6+kjr1Oxqv8=\r\n\r\n',
        requestHeaders: {
          Upgrade: 'websocket',
          Origin: 'http://127.0.0.1:33687',
          'Cache-Control': 'no-cache',
          'Accept-Language': 'en-US,en;q=0.9',
          Pragma: 'no-cache',
          Connection: 'Upgrade',
          'Sec-WebSocket-Key': 'q9+75s4g8i6pbrLX1TnOvA==',
          'Accept-Encoding': 'gzip, deflate, br, zstd',
          'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36',
          'Sec-WebSocket-Version': '13',
          Host: '127.0.0.1:33687',
          'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits',
        },
        requestHeadersText:
          'GET ws://127.0.0.1:33687/echo?token=abc HTTP/1.1\r\nHost: 127.0.0.1:33687\r\nConnection: Upgrade\r\nPragma: no-cache\r\nCache-Control: no-cache\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36\r\nUpgrade: websocket\r\nOrigin: http://127.0.0.1:33687\r\nSec-WebSocket-Version: 13\r\nAccept-Encoding: gzip, deflate, br, zstd\r\nAccept-Language: en-US,en;q=0.9\r\nSec-WebSocket-Key: q9+75s4g8i6pbrLX1TnOvA==\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n',
      },
    },
  ],
  ['Network.webSocketFrameSent', { requestId: '19389.2', timestamp: 3496.417826, response: { opcode: 1, mask: true, payloadData: 'hello' } }],
  ['Network.webSocketFrameSent', { requestId: '19389.2', timestamp: 3496.417988, response: { opcode: 2, mask: true, payloadData: 'AQIDBA==' } }],
  [
    'Network.webSocketWillSendHandshakeRequest',
    {
      requestId: '19389.3',
      timestamp: 3496.429342,
      wallTime: 1796166080.202531,
      request: {
        headers: {
          Upgrade: 'websocket',
          Origin: 'http://127.0.0.1:33687',
          'Cache-Control': 'no-cache',
          'Accept-Language': 'en-US,en;q=0.9',
          Pragma: 'no-cache',
          Connection: 'Upgrade',
          'Sec-WebSocket-Key': 'fDIy4DeZmwm5PUN/uCs0ww==',
          'Accept-Encoding': 'gzip, deflate, br, zstd',
          'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36',
          'Sec-WebSocket-Version': '13',
          Host: '127.0.0.1:33687',
          'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits',
        },
      },
    },
  ],
  ['Network.webSocketFrameReceived', { requestId: '19389.2', timestamp: 3496.541712, response: { opcode: 1, mask: false, payloadData: 'hello' } }],
  ['Network.webSocketFrameReceived', { requestId: '19389.2', timestamp: 3496.542763, response: { opcode: 2, mask: false, payloadData: 'AQIDBA==' } }],
  [
    'Network.webSocketFrameError',
    { requestId: '19389.3', timestamp: 3496.543227, errorMessage: 'Error during WebSocket handshake: Unexpected response code: 404' },
  ],
  ['Network.webSocketClosed', { requestId: '19389.3', timestamp: 3496.543611 }],
  ['Network.webSocketClosed', { requestId: '19389.2', timestamp: 3496.551453 }],
];
