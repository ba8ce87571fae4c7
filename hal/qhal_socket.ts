/**
 * The QuecThing socket HAL, described once: every `Qhal_*` function with its exact prototype
 * (from the vendor's reference) and parameter directions, the socket-type enum, which board
 * feature needs which function, and the core callbacks the HAL calls — including both
 * generations of `Quos_socketIORx`. The header (`qhal_Socket.h` by default) is generated from this file, and the
 * generator checks that every backend template defines every function listed here.
 */
import { defineHal } from 'qhal-gen';

const typeOut = {
  name: 'type',
  type: 'quint8_t *',
  direction: 'out',
  doc: 'Socket type the core passes back on every later call.',
} as const;

const connectTimeoutOut = {
  name: 'connectTimeout',
  type: 'quint32_t *',
  direction: 'out',
  doc: '0: the link is up on return; otherwise ms the core waits for Quos_socketIOConnResult.',
} as const;

export default defineHal({
  constants: [
    {
      name: 'SOCKET_FD_INVALID',
      value: '((pointer_t)-1)',
      doc: 'Handle value meaning failure now; nothing else is reported.',
    },
  ],
  enums: [
    {
      name: 'qhal_socket_type',
      members: [
        { name: 'SOCKET_TYPE_UART', value: 0, doc: 'Serial port channel (not a socket).' },
        { name: 'SOCKET_TYPE_UDP', value: 1, doc: 'UDP socket.' },
        { name: 'SOCKET_TYPE_TCP_LISTEN', value: 2, doc: 'Listening TCP socket.' },
        { name: 'SOCKET_TYPE_TCP_CLI', value: 3, doc: 'TCP client (or accepted) socket.' },
        { name: 'SOCKET_TYPE_TCP_SSL_CLI', value: 4, doc: 'TLS over TCP client.' },
        { name: 'SOCKET_TYPE_UDP_SSL_CLI', value: 5, doc: 'DTLS over UDP client.' },
      ],
    },
  ],
  functions: [
    {
      name: 'Qhal_tcpClientInit',
      returns: 'pointer_t',
      feature: 'tcp',
      disabledReturn: 'SOCKET_FD_INVALID',
      doc: 'Create a TCP client and connect it to hostname:r_port.',
      params: [
        typeOut,
        {
          name: 'hostname',
          type: 'const char *',
          direction: 'in',
          doc: 'IP or domain name of the server.',
        },
        { name: 'r_port', type: 'quint16_t', direction: 'in', doc: 'Port of the server.' },
        connectTimeoutOut,
      ],
    },
    {
      name: 'Qhal_udpInit',
      returns: 'pointer_t',
      feature: 'udp',
      disabledReturn: 'SOCKET_FD_INVALID',
      doc: 'Create a UDP socket bound to l_port; with a hostname, also set its default peer.',
      params: [
        typeOut,
        { name: 'l_port', type: 'quint16_t', direction: 'in', doc: 'Local port; 0: any.' },
        {
          name: 'hostname',
          type: 'const char *',
          direction: 'in',
          doc: 'Server; NULL binds the local port only.',
        },
        { name: 'r_port', type: 'quint16_t', direction: 'in', doc: 'Port of the server.' },
        {
          name: 'peer',
          type: 'void **',
          direction: 'out',
          doc: 'Server address for later writes (HAL_MALLOC; the core frees it).',
        },
      ],
    },
    {
      name: 'Qhal_tcpSslClientInit',
      returns: 'pointer_t',
      feature: 'tls',
      disabledReturn: 'SOCKET_FD_INVALID',
      doc: 'Create a TLS client, connect and verify the server.',
      params: [
        typeOut,
        {
          name: 'hostname',
          type: 'const char *',
          direction: 'in',
          doc: 'IP or domain name of the server; also the name its certificate must carry.',
        },
        { name: 'r_port', type: 'quint16_t', direction: 'in', doc: 'Port of the server.' },
        connectTimeoutOut,
      ],
    },
    {
      name: 'Qhal_udpSslInit',
      returns: 'pointer_t',
      feature: 'dtls',
      disabledReturn: 'SOCKET_FD_INVALID',
      doc: 'Create a DTLS client over UDP and complete its handshake.',
      params: [
        typeOut,
        { name: 'l_port', type: 'quint16_t', direction: 'in', doc: 'Local port; 0: any.' },
        {
          name: 'hostname',
          type: 'const char *',
          direction: 'in',
          doc: 'IP or domain name of the server.',
        },
        { name: 'r_port', type: 'quint16_t', direction: 'in', doc: 'Port of the server.' },
      ],
    },
    {
      name: 'Qhal_sockWrite',
      returns: 'qbool',
      feature: 'core',
      disabledReturn: 'FALSE',
      doc: 'Send data; what cannot leave now is queued and reported by Quos_socketIOTxCb.',
      params: [
        { name: 'sockFd', type: 'pointer_t', direction: 'in', doc: 'Socket handle.' },
        { name: 'type', type: 'quint8_t', direction: 'in', doc: 'Socket type.' },
        {
          name: 'peer',
          type: 'const void *',
          direction: 'in',
          doc: 'UDP destination (struct sockaddr); NULL: the default peer.',
        },
        { name: 'buf', type: 'const quint8_t *', direction: 'in', doc: 'Data to send.' },
        { name: 'bufLen', type: 'quint16_t', direction: 'in', doc: 'Length of the data.' },
        {
          name: 'isSending',
          type: 'qbool *',
          direction: 'out',
          doc: 'Set TRUE when the write completes later (Quos_socketIOTxCb); may be NULL.',
        },
      ],
    },
    {
      name: 'Qhal_sockClose',
      returns: 'void',
      feature: 'core',
      disabledReturn: '',
      doc: 'Close the link and release everything it owns; no event follows.',
      params: [
        { name: 'sockFd', type: 'pointer_t', direction: 'in', doc: 'Socket handle.' },
        { name: 'type', type: 'quint8_t', direction: 'in', doc: 'Socket type.' },
      ],
    },
    {
      name: 'Qhal_tcpServerInit',
      returns: 'pointer_t',
      feature: 'tcpServer',
      disabledReturn: 'SOCKET_FD_INVALID',
      doc: 'Listen on l_port; each accepted client is handed to the core as its own socket.',
      params: [
        typeOut,
        { name: 'l_port', type: 'quint16_t', direction: 'in', doc: 'Port to listen on.' },
        {
          name: 'maxClient',
          type: 'quint8_t',
          direction: 'in',
          doc: 'Clients connected at once, at most.',
        },
      ],
    },
    {
      name: 'Qhal_dns2IPGet',
      returns: 'quint32_t',
      feature: 'dns',
      disabledReturn: '0',
      doc: 'Resolve hostname into up to addrMax text addresses (IPv4 or IPv6).',
      params: [
        { name: 'hostname', type: 'const char *', direction: 'in', doc: 'Name to resolve.' },
        {
          name: 'retAddr',
          type: 'quint8_t **',
          direction: 'out',
          doc: 'addrMax buffers of 46 bytes each, filled with NUL-terminated text addresses.',
        },
        {
          name: 'addrMax',
          type: 'quint32_t',
          direction: 'in',
          doc: 'Number of buffers in retAddr.',
        },
      ],
    },
    {
      name: 'Qhal_sockUdpBroadCastLAN',
      returns: 'qbool',
      feature: 'broadcast',
      disabledReturn: 'FALSE',
      doc: 'Send a datagram to the LAN broadcast address on port.',
      params: [
        { name: 'sockFd', type: 'pointer_t', direction: 'in', doc: 'UDP socket handle.' },
        { name: 'port', type: 'quint16_t', direction: 'in', doc: 'Destination port.' },
        { name: 'buf', type: 'quint8_t *', direction: 'in', doc: 'Datagram.' },
        { name: 'bufLen', type: 'quint32_t', direction: 'in', doc: 'Datagram length.' },
      ],
    },
  ],
  callbacks: [
    {
      name: 'Quos_socketIORx',
      returns: 'void',
      doc: 'Data arrived; bufLen 0 means the link went down without the core asking.',
      variants: [
        {
          rxPeerSize: false,
          params: [
            { name: 'sockFd', type: 'pointer_t', direction: 'in', doc: 'Socket handle.' },
            { name: 'type', type: 'quint8_t', direction: 'in', doc: 'Socket type.' },
            {
              name: 'peer',
              type: 'const void *',
              direction: 'in',
              doc: 'UDP sender; NULL otherwise.',
            },
            // Not const: the core's prototype (kernel/quos_socket.h) takes a writable buffer.
            { name: 'buf', type: 'quint8_t *', direction: 'in', doc: 'Data.' },
            { name: 'bufLen', type: 'quint32_t', direction: 'in', doc: 'Length; 0: link down.' },
          ],
        },
        {
          rxPeerSize: true,
          params: [
            { name: 'sockFd', type: 'pointer_t', direction: 'in', doc: 'Socket handle.' },
            { name: 'type', type: 'quint8_t', direction: 'in', doc: 'Socket type.' },
            {
              name: 'peer',
              type: 'const void *',
              direction: 'in',
              doc: 'UDP sender; NULL otherwise.',
            },
            {
              name: 'peerSize',
              type: 'quint32_t',
              direction: 'in',
              doc: 'Length of *peer in bytes.',
            },
            // Not const: the core's prototype (kernel/quos_socket.h) takes a writable buffer.
            { name: 'buf', type: 'quint8_t *', direction: 'in', doc: 'Data.' },
            { name: 'bufLen', type: 'quint32_t', direction: 'in', doc: 'Length; 0: link down.' },
          ],
        },
      ],
    },
    {
      name: 'Quos_socketIOConnResult',
      returns: 'void',
      doc: 'Outcome of an asynchronous connect.',
      variants: [
        {
          rxPeerSize: false,
          params: [
            { name: 'sockFd', type: 'pointer_t', direction: 'in', doc: 'Socket handle.' },
            { name: 'type', type: 'quint8_t', direction: 'in', doc: 'Socket type.' },
            { name: 'result', type: 'qbool', direction: 'in', doc: 'TRUE: connected.' },
          ],
        },
      ],
    },
    {
      name: 'Quos_socketIOTxCb',
      returns: 'void',
      doc: 'A write that set *isSending has left the device.',
      variants: [
        {
          rxPeerSize: false,
          params: [
            { name: 'sockFd', type: 'pointer_t', direction: 'in', doc: 'Socket handle.' },
            { name: 'type', type: 'quint8_t', direction: 'in', doc: 'Socket type.' },
          ],
        },
      ],
    },
  ],
});
