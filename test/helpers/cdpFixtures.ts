import type { Protocol } from 'devtools-protocol';

/** A recorded Network.ResourceTiming (Chromium, plain HTTP/1.1 on loopback), shared by the network tests. */
export const TIMING: Protocol.Network.ResourceTiming = {
  requestTime: 81234.5679,
  proxyStart: -1,
  proxyEnd: -1,
  dnsStart: 0.05,
  dnsEnd: 0.4,
  connectStart: 0.4,
  connectEnd: 0.9,
  sslStart: -1,
  sslEnd: -1,
  workerStart: -1,
  workerReady: -1,
  workerFetchStart: -1,
  workerRespondWithSettled: -1,
  sendStart: 1.1,
  sendEnd: 1.2,
  pushStart: 0,
  pushEnd: 0,
  receiveHeadersStart: 7.9,
  receiveHeadersEnd: 8.3,
};
