/* husk_signal_parse: the forms runc's kill takes. */
#include <signal.h>

#include "husk.h"
#include "tap.h"

int
main (void)
{
  is_int (husk_signal_parse ("KILL"), SIGKILL, "KILL");
  is_int (husk_signal_parse ("SIGKILL"), SIGKILL, "SIGKILL");
  is_int (husk_signal_parse ("sigterm"), SIGTERM, "lower case sigterm");
  is_int (husk_signal_parse ("term"), SIGTERM, "lower case term");
  is_int (husk_signal_parse ("9"), 9, "number 9");
  is_int (husk_signal_parse ("0"), 0, "number 0");
  is_int (husk_signal_parse ("HUP"), SIGHUP, "HUP");
  is_int (husk_signal_parse ("SIGWINCH"), SIGWINCH, "SIGWINCH");
  is_int (husk_signal_parse ("RTMIN"), SIGRTMIN, "RTMIN");
  is_int (husk_signal_parse ("SIGRTMIN+3"), SIGRTMIN + 3, "SIGRTMIN+3");
  is_int (husk_signal_parse ("RTMAX-1"), SIGRTMAX - 1, "RTMAX-1");
  is_int (husk_signal_parse ("FOO"), -1, "unknown name");
  is_int (husk_signal_parse ("SIG"), -1, "bare SIG");
  is_int (husk_signal_parse (""), -1, "empty");
  is_int (husk_signal_parse ("-1"), -1, "negative");
  is_int (husk_signal_parse ("9x"), -1, "trailing garbage");
  is_int (husk_signal_parse ("1000"), -1, "too large");
  is_int (husk_signal_parse ("RTMIN+100"), -1, "RTMIN out of range");
  return tap_done ();
}
