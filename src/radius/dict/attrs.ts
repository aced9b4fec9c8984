/**
 * The attributes and enumerated values handler code uses, declared once. Handler code refers to
 * `A.UserName` or `V.AcctStatusType.Start`, never to a number. A test checks every entry here against
 * the dictionary files, so this map cannot drift from them.
 */
import { defineAttr as d } from '../codec/types.js';

export const VENDOR_MICROSOFT = 311;
export const VENDOR_MIKROTIK = 14988;
export const VENDOR_WISPR = 14122;

const MS = VENDOR_MICROSOFT;
const MT = VENDOR_MIKROTIK;
const WI = VENDOR_WISPR;

export const A = Object.freeze({
  // RFC 2865
  UserName: d(0, 1, 'User-Name', 'string'),
  UserPassword: d(0, 2, 'User-Password', 'string', { encrypt: 1 }),
  ChapPassword: d(0, 3, 'CHAP-Password', 'octets'),
  NasIpAddress: d(0, 4, 'NAS-IP-Address', 'ipaddr'),
  NasPort: d(0, 5, 'NAS-Port', 'integer'),
  ServiceType: d(0, 6, 'Service-Type', 'integer'),
  FramedProtocol: d(0, 7, 'Framed-Protocol', 'integer'),
  FramedIpAddress: d(0, 8, 'Framed-IP-Address', 'ipaddr'),
  FramedIpNetmask: d(0, 9, 'Framed-IP-Netmask', 'ipaddr'),
  FramedRouting: d(0, 10, 'Framed-Routing', 'integer'),
  FilterId: d(0, 11, 'Filter-Id', 'string'),
  FramedMtu: d(0, 12, 'Framed-MTU', 'integer'),
  FramedCompression: d(0, 13, 'Framed-Compression', 'integer'),
  LoginIpHost: d(0, 14, 'Login-IP-Host', 'ipaddr'),
  LoginService: d(0, 15, 'Login-Service', 'integer'),
  ReplyMessage: d(0, 18, 'Reply-Message', 'string'),
  FramedRoute: d(0, 22, 'Framed-Route', 'string'),
  State: d(0, 24, 'State', 'octets'),
  Class: d(0, 25, 'Class', 'octets'),
  VendorSpecific: d(0, 26, 'Vendor-Specific', 'vsa'),
  SessionTimeout: d(0, 27, 'Session-Timeout', 'integer'),
  IdleTimeout: d(0, 28, 'Idle-Timeout', 'integer'),
  TerminationAction: d(0, 29, 'Termination-Action', 'integer'),
  CalledStationId: d(0, 30, 'Called-Station-Id', 'string'),
  CallingStationId: d(0, 31, 'Calling-Station-Id', 'string'),
  NasIdentifier: d(0, 32, 'NAS-Identifier', 'string'),
  ProxyState: d(0, 33, 'Proxy-State', 'octets'),
  ChapChallenge: d(0, 60, 'CHAP-Challenge', 'octets'),
  NasPortType: d(0, 61, 'NAS-Port-Type', 'integer'),
  PortLimit: d(0, 62, 'Port-Limit', 'integer'),
  // RFC 2866
  AcctStatusType: d(0, 40, 'Acct-Status-Type', 'integer'),
  AcctDelayTime: d(0, 41, 'Acct-Delay-Time', 'integer'),
  AcctInputOctets: d(0, 42, 'Acct-Input-Octets', 'integer'),
  AcctOutputOctets: d(0, 43, 'Acct-Output-Octets', 'integer'),
  AcctSessionId: d(0, 44, 'Acct-Session-Id', 'string'),
  AcctAuthentic: d(0, 45, 'Acct-Authentic', 'integer'),
  AcctSessionTime: d(0, 46, 'Acct-Session-Time', 'integer'),
  AcctInputPackets: d(0, 47, 'Acct-Input-Packets', 'integer'),
  AcctOutputPackets: d(0, 48, 'Acct-Output-Packets', 'integer'),
  AcctTerminateCause: d(0, 49, 'Acct-Terminate-Cause', 'integer'),
  AcctMultiSessionId: d(0, 50, 'Acct-Multi-Session-Id', 'string'),
  AcctLinkCount: d(0, 51, 'Acct-Link-Count', 'integer'),
  // RFC 2868
  TunnelType: d(0, 64, 'Tunnel-Type', 'integer', { hasTag: true }),
  TunnelMediumType: d(0, 65, 'Tunnel-Medium-Type', 'integer', { hasTag: true }),
  TunnelPassword: d(0, 69, 'Tunnel-Password', 'string', { hasTag: true, encrypt: 2 }),
  TunnelPrivateGroupId: d(0, 81, 'Tunnel-Private-Group-Id', 'string', { hasTag: true }),
  // RFC 2869
  AcctInputGigawords: d(0, 52, 'Acct-Input-Gigawords', 'integer'),
  AcctOutputGigawords: d(0, 53, 'Acct-Output-Gigawords', 'integer'),
  EventTimestamp: d(0, 55, 'Event-Timestamp', 'date'),
  ConnectInfo: d(0, 77, 'Connect-Info', 'string'),
  AcctInterimInterval: d(0, 85, 'Acct-Interim-Interval', 'integer'),
  NasPortId: d(0, 87, 'NAS-Port-Id', 'string'),
  FramedPool: d(0, 88, 'Framed-Pool', 'string'),
  // RFC 3579
  EapMessage: d(0, 79, 'EAP-Message', 'octets', { concat: true }),
  MessageAuthenticator: d(0, 80, 'Message-Authenticator', 'octets'),
  // RFC 3162, RFC 4818, RFC 6911
  NasIpv6Address: d(0, 95, 'NAS-IPv6-Address', 'ipv6addr'),
  FramedInterfaceId: d(0, 96, 'Framed-Interface-Id', 'ifid'),
  FramedIpv6Prefix: d(0, 97, 'Framed-IPv6-Prefix', 'ipv6prefix'),
  FramedIpv6Pool: d(0, 100, 'Framed-IPv6-Pool', 'string'),
  DelegatedIpv6Prefix: d(0, 123, 'Delegated-IPv6-Prefix', 'ipv6prefix'),
  FramedIpv6Address: d(0, 168, 'Framed-IPv6-Address', 'ipv6addr'),
  DnsServerIpv6Address: d(0, 169, 'DNS-Server-IPv6-Address', 'ipv6addr'),
  DelegatedIpv6PrefixPool: d(0, 171, 'Delegated-IPv6-Prefix-Pool', 'string'),
  // RFC 5176
  ErrorCause: d(0, 101, 'Error-Cause', 'integer'),
  // Microsoft (RFC 2548)
  MsChapResponse: d(MS, 1, 'MS-CHAP-Response', 'octets'),
  MsChapError: d(MS, 2, 'MS-CHAP-Error', 'string'),
  MsMppeEncryptionPolicy: d(MS, 7, 'MS-MPPE-Encryption-Policy', 'integer'),
  MsMppeEncryptionTypes: d(MS, 8, 'MS-MPPE-Encryption-Types', 'integer'),
  MsChapDomain: d(MS, 10, 'MS-CHAP-Domain', 'string'),
  MsChapChallenge: d(MS, 11, 'MS-CHAP-Challenge', 'octets'),
  MsChapMppeKeys: d(MS, 12, 'MS-CHAP-MPPE-Keys', 'octets', { encrypt: 1 }),
  MsMppeSendKey: d(MS, 16, 'MS-MPPE-Send-Key', 'octets', { encrypt: 2 }),
  MsMppeRecvKey: d(MS, 17, 'MS-MPPE-Recv-Key', 'octets', { encrypt: 2 }),
  MsChap2Response: d(MS, 25, 'MS-CHAP2-Response', 'octets'),
  MsChap2Success: d(MS, 26, 'MS-CHAP2-Success', 'octets'),
  MsPrimaryDnsServer: d(MS, 28, 'MS-Primary-DNS-Server', 'ipaddr'),
  MsSecondaryDnsServer: d(MS, 29, 'MS-Secondary-DNS-Server', 'ipaddr'),
  // MikroTik
  MikrotikRecvLimit: d(MT, 1, 'Mikrotik-Recv-Limit', 'integer'),
  MikrotikXmitLimit: d(MT, 2, 'Mikrotik-Xmit-Limit', 'integer'),
  MikrotikGroup: d(MT, 3, 'Mikrotik-Group', 'string'),
  MikrotikRateLimit: d(MT, 8, 'Mikrotik-Rate-Limit', 'string'),
  MikrotikRealm: d(MT, 9, 'Mikrotik-Realm', 'string'),
  MikrotikHostIp: d(MT, 10, 'Mikrotik-Host-IP', 'ipaddr'),
  MikrotikMarkId: d(MT, 11, 'Mikrotik-Mark-Id', 'string'),
  MikrotikAdvertiseUrl: d(MT, 12, 'Mikrotik-Advertise-URL', 'string'),
  MikrotikAdvertiseInterval: d(MT, 13, 'Mikrotik-Advertise-Interval', 'integer'),
  MikrotikRecvLimitGigawords: d(MT, 14, 'Mikrotik-Recv-Limit-Gigawords', 'integer'),
  MikrotikXmitLimitGigawords: d(MT, 15, 'Mikrotik-Xmit-Limit-Gigawords', 'integer'),
  MikrotikWirelessPsk: d(MT, 16, 'Mikrotik-Wireless-PSK', 'string'),
  MikrotikTotalLimit: d(MT, 17, 'Mikrotik-Total-Limit', 'integer'),
  MikrotikTotalLimitGigawords: d(MT, 18, 'Mikrotik-Total-Limit-Gigawords', 'integer'),
  MikrotikAddressList: d(MT, 19, 'Mikrotik-Address-List', 'string'),
  MikrotikDelegatedIpv6Pool: d(MT, 22, 'Mikrotik-Delegated-IPv6-Pool', 'string'),
  MikrotikWirelessVlanId: d(MT, 26, 'Mikrotik-Wireless-VLANID', 'integer'),
  MikrotikWirelessVlanIdType: d(MT, 27, 'Mikrotik-Wireless-VLANID-Type', 'integer'),
  // WISPr
  WisprLocationId: d(WI, 1, 'WISPr-Location-ID', 'string'),
  WisprLocationName: d(WI, 2, 'WISPr-Location-Name', 'string'),
  WisprLogoffUrl: d(WI, 3, 'WISPr-Logoff-URL', 'string'),
  WisprRedirectionUrl: d(WI, 4, 'WISPr-Redirection-URL', 'string'),
  WisprBandwidthMaxUp: d(WI, 7, 'WISPr-Bandwidth-Max-Up', 'integer'),
  WisprBandwidthMaxDown: d(WI, 8, 'WISPr-Bandwidth-Max-Down', 'integer'),
  WisprSessionTerminateTime: d(WI, 9, 'WISPr-Session-Terminate-Time', 'string'),
});

/**
 * Enumerated values, keyed like `A`, spelt as in the dictionaries (`Interim-Update` becomes
 * `InterimUpdate`). A test checks each against the VALUE lines.
 */
export const V = Object.freeze({
  ServiceType: { LoginUser: 1, FramedUser: 2, AuthenticateOnly: 8, CallCheck: 10, AuthorizeOnly: 17 },
  FramedProtocol: { PPP: 1 },
  AcctStatusType: { Start: 1, Stop: 2, InterimUpdate: 3, AccountingOn: 7, AccountingOff: 8, Failed: 15 },
  AcctAuthentic: { RADIUS: 1, Local: 2, Remote: 3 },
  AcctTerminateCause: {
    UserRequest: 1,
    LostCarrier: 2,
    LostService: 3,
    IdleTimeout: 4,
    SessionTimeout: 5,
    AdminReset: 6,
    AdminReboot: 7,
    PortError: 8,
    NASError: 9,
    NASRequest: 10,
    NASReboot: 11,
    PortUnneeded: 12,
    PortPreempted: 13,
    PortSuspended: 14,
    ServiceUnavailable: 15,
    Callback: 16,
    UserError: 17,
    HostRequest: 18,
  },
  NasPortType: { Async: 0, Virtual: 5, Ethernet: 15, Wireless80211: 19 },
  TunnelType: { PPTP: 1, L2TP: 3, GRE: 10, VLAN: 13 },
  TunnelMediumType: { IPv4: 1, IPv6: 2, IEEE802: 6 },
  ErrorCause: {
    ResidualSessionContextRemoved: 201,
    InvalidEAPPacket: 202,
    UnsupportedAttribute: 401,
    MissingAttribute: 402,
    NASIdentificationMismatch: 403,
    InvalidRequest: 404,
    UnsupportedService: 405,
    UnsupportedExtension: 406,
    InvalidAttributeValue: 407,
    AdministrativelyProhibited: 501,
    RequestNotRoutable: 502,
    SessionContextNotFound: 503,
    SessionContextNotRemovable: 504,
    OtherProxyProcessingError: 505,
    ResourcesUnavailable: 506,
    RequestInitiated: 507,
    MultipleSessionSelectionUnsupported: 508,
  },
  MsMppeEncryptionPolicy: { EncryptionAllowed: 1, EncryptionRequired: 2 },
  MsMppeEncryptionTypes: { RC4_40bitAllowed: 1, RC4_128bitAllowed: 2, RC4_40or128bitAllowed: 6 },
} as const);
