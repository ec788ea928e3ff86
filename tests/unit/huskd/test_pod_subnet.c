/* The default pod network's subnet: the first /16 from 10.89.0.0/16 that
 * no route of the host overlaps (sandbox/huskd/pod_network.c). */
#include <string.h>

#include "../../../sandbox/huskd/pod_network.h"
#include "tap.h"

#define HEADER "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"

int
main (void)
{
  /* little-endian hex, as /proc/net/route prints: 10.88.0.0/16 is 0000580A/0000FFFF */
  is_str (huskd_pod_subnet_choose (HEADER), "10.89.0.0/16", "no routes: the first candidate");
  is_str (huskd_pod_subnet_choose (NULL), "10.89.0.0/16", "no route table");
  is_str (huskd_pod_subnet_choose (HEADER "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"),
          "10.89.0.0/16", "the default route takes nothing");
  is_str (huskd_pod_subnet_choose (HEADER
                                   "cni0\t0000580A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
                                   "br0\t0005590A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"),
          "10.90.0.0/16", "a /24 inside 10.89.0.0/16 takes it");
  is_str (huskd_pod_subnet_choose (HEADER
                                   "big\t0000580A\t00000000\t0001\t0\t0\t0\t0000FCFF\t0\t0\t0\n"),
          "10.92.0.0/16", "a /14 over 10.88-10.91 takes three");
  ok (huskd_pod_subnet_choose (HEADER "all\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n")
          == NULL,
      "10.0.0.0/8 routed: none is free");
  return tap_done ();
}
