#include "quantity.h"
#include "tap.h"

int
main (void)
{
  static const struct { const char *text; long long milli; } good[] = {
    { "500m", 500 }, { "1", 1000 }, { "0.5", 500 }, { "2", 2000 }, { "128Mi", 134217728000LL },
    { "1Gi", 1073741824000LL }, { "1G", 1000000000000LL }, { "1k", 1000000 }, { "1e3", 1000000 },
    { "100Ki", 102400000 }, { "0", 0 }, { "1.5Gi", 1610612736000LL }, { "250m", 250 },
  };
  static const char *bad[] = { "", "abc", "1Zi", "m", "1.2.3", "--1", "12 Mi" };
  long long v;
  char buf[32];
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    {
      ok (api_quantity_parse (good[i].text, &v), "parses %s", good[i].text);
      is_int (v, good[i].milli, "%s in thousandths", good[i].text);
    }
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ok (!api_quantity_parse (bad[i], &v), "refuses \"%s\"", bad[i]);
  api_quantity_format (500, false, buf);
  is_str (buf, "500m", "formats 500m");
  api_quantity_format (2000, false, buf);
  is_str (buf, "2", "formats 2");
  api_quantity_format (134217728000LL, true, buf);
  is_str (buf, "128Mi", "formats 128Mi");
  api_quantity_format (1000, false, buf);
  is_str (buf, "1", "formats pods=1");
  return tap_done ();
}
