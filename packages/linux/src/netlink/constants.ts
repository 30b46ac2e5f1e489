/**
 * rtnetlink numbers from the Linux UAPI headers (linux/netlink.h, linux/rtnetlink.h,
 * linux/if_link.h, linux/if_addr.h, linux/veth.h), only those this package sends or reads.
 */

// Message types
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;

// Header flags
export const NLM_F_REQUEST = 0x1;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP = 0x300;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** On an NLMSG_ERROR: extended-ack attributes follow the echoed request. */
export const NLM_F_ACK_TLVS = 0x200;
/** On an NLMSG_ERROR: only the request's header is echoed, not its payload. */
export const NLM_F_CAPPED = 0x100;
export const NLMSGERR_ATTR_MSG = 1;

// Sizes of the fixed headers
export const NLMSG_HDRLEN = 16;
export const IFINFOMSG_LEN = 16;
export const IFADDRMSG_LEN = 8;
export const RTMSG_LEN = 12;

// Address families
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

// Link attributes (IFLA_*)
export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_MASTER = 10;
export const IFLA_OPERSTATE = 16;
export const IFLA_LINKINFO = 18;
export const IFLA_NET_NS_FD = 28;
export const IFLA_PROMISCUITY = 30;
export const IFLA_LINK_NETNSID = 37;
export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
export const IFLA_INFO_SLAVE_KIND = 4;
export const IFLA_INFO_SLAVE_DATA = 5;
export const VETH_INFO_PEER = 1;
export const IFLA_BR_VLAN_FILTERING = 7;
/** Bridge port attributes (IFLA_BRPORT_*): hairpin is called "mode" in the kernel. */
export const IFLA_BRPORT_MODE = 4;
export const IFLA_BRPORT_ISOLATED = 33;

// Link flags (IFF_*)
export const IFF_UP = 0x1;
export const IFF_PROMISC = 0x100;

// Address attributes (IFA_*)
export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_BROADCAST = 4;
export const IFA_FLAGS = 8;
export const IFA_F_NODAD = 0x2;

// Route attributes (RTA_*) and rtmsg values
export const RTA_DST = 1;
export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RTA_PRIORITY = 6;
export const RTA_METRICS = 8;
export const RTA_TABLE = 15;
export const RTAX_MTU = 2;
export const RTAX_ADVMSS = 8;
export const RT_TABLE_MAIN = 254;
export const RTPROT_BOOT = 3;
export const RTN_UNICAST = 1;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;

// errno values the callers tell apart
export const EEXIST = 17;
export const ENODEV = 19;
